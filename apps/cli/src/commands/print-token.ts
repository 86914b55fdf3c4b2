import type { Command } from 'commander';
import { getToken } from '@auth/core';
import { openSession, type StartCli } from '../context.js';
import { tokenLine } from '../token-line.js';

/**
 * The slow path of `print-token`: a fresh cached token never gets here (see
 * authctl.ts). The token manager refreshes inside the refresh window, logs a
 * service account in again, or fails with LOGIN_REQUIRED (exit 3).
 */
export function printTokenCommand(program: Command, start: StartCli): void {
  program
    .command('print-token')
    .description('print the access token alone on stdout (refreshed when needed, never expired)')
    .option('--header', 'print an HTTP header line: "Authorization: Bearer <token>"')
    .action(async (options: { header?: boolean }, command: Command) => {
      const cli = start(command);
      const session = await openSession(cli, { prompts: false });
      const token = await getToken(session);
      process.stdout.write(tokenLine(token, options.header));
    });
}
