import { startInfluxd, type Influxd } from '@auth/testkit';
import { afterAll, beforeAll } from 'vitest';

/** One real influxd for the file, stopped (and waited for) after it. */
export function useInfluxd(): { current: Influxd } {
  const holder = {} as { current: Influxd };
  beforeAll(async () => {
    holder.current = await startInfluxd();
  }, 60_000);
  afterAll(async () => {
    await holder.current?.stop();
  });
  return holder;
}

/** Runs one InfluxQL statement as the admin, for setting up a test (a database to grant on). */
export async function adminQuery(influxd: Influxd, statement: string): Promise<unknown> {
  const basic = Buffer.from(`${influxd.admin.username}:${influxd.admin.password}`).toString('base64');
  const response = await fetch(`${influxd.url}/query`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}` },
    body: new URLSearchParams({ q: statement }),
    signal: AbortSignal.timeout(10_000),
  });
  return response.json();
}
