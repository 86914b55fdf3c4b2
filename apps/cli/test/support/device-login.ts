import { expectLoginEvents, parseEvent, type JsonEvent } from '../flows/support/json-events.js';
import type { Sandbox } from './sandbox.js';

/**
 * `authctl [args] login --flow device --json` through the binary; the person
 * approves the code at the contract double as soon as the device_code line
 * appears (the doubles have no pages to drive).
 */
export async function approvedDeviceLogin(
  sandbox: Sandbox,
  approve: (userCode: string) => void,
  options: { args?: string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<JsonEvent> {
  const run = sandbox.start([...(options.args ?? []), 'login', '--flow', 'device', '--json'], {
    killAfterMs: 60_000,
    ...(options.env === undefined ? {} : { env: options.env }),
  });
  const code = parseEvent(await run.nextLine());
  approve(String(code.user_code));
  expectLoginEvents(await run.done, 'device_code');
  return code;
}
