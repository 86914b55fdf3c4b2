import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { startInfluxd } from '../src/index.js';

/** The loopback TCP ports listening in the network namespace of a process, from /proc. */
async function listeningPorts(pid: number): Promise<number[]> {
  const table = await readFile(`/proc/${pid}/net/tcp`, 'utf8');
  return table
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[3] === '0A' && fields[1]?.startsWith('0100007F:'))
    .map((fields) => parseInt(fields[1]!.split(':')[1]!, 16));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startInfluxd: a real influxd 1.6 on kernel-chosen loopback ports', () => {
  it('binds 127.0.0.1:0, reports the HTTP port it got, requires the admin it created, and stop() waits for the exit', async () => {
    const influxd = await startInfluxd();
    try {
      const port = Number(new URL(influxd.url).port);
      expect(port).toBeGreaterThan(0);
      expect(await listeningPorts(influxd.pid)).toContain(port);
      expect((await fetch(`${influxd.url}/query?q=SHOW+USERS`)).status).toBe(401);
      const basic = Buffer.from(`${influxd.admin.username}:${influxd.admin.password}`).toString('base64');
      const users = await fetch(`${influxd.url}/query?q=SHOW+USERS`, { headers: { authorization: `Basic ${basic}` } });
      expect(await users.json()).toEqual({ results: [{ statement_id: 0, series: [{ columns: ['user', 'admin'], values: [['admin', true]] }] }] });
    } finally {
      await influxd.stop();
    }
    expect(alive(influxd.pid)).toBe(false);
  });

  it('two at once get different ports', async () => {
    const [a, b] = await Promise.all([startInfluxd(), startInfluxd()]);
    try {
      expect(a.url).not.toBe(b.url);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
