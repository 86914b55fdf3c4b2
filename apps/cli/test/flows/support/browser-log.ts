import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The BROWSER script's step log once it has finished (`done` or `failed: …`).
 * authctl may exit before chromium does; waiting here means its screenshots
 * are on disk and no browser outlives the test.
 */
export async function finishedBrowserLog(file: string): Promise<string> {
  const read = async () => (existsSync(file) ? await readFile(file, 'utf8') : '');
  for (let attempt = 0; attempt < 150; attempt += 1) {
    const log = await read();
    if (/ (done|failed: .*)\n$/.test(log)) return log;
    await sleep(200);
  }
  throw new Error(`the BROWSER script never finished; its log:\n${(await read()) || '(none)'}`);
}
