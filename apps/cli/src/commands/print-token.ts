import type { Command } from 'commander';
import { getToken, storedBasicCredential } from '@auth/core';
import { openSession, type StartCli } from '../context.js';
import { checkedEnvToken } from '../checked-env-token.js';
import { ENV_TOKEN_NOTICE } from '../env-token.js';
import { basicLine, tokenLine } from '../token-line.js';

/**
 * The slow path of `print-token`: a fresh cached token or a usable
 * AUTHCTL_TOKEN never gets here (see authctl.ts); an unusable one is
 * reported here. The token manager refreshes inside the refresh window, logs
 * a service account in again, or fails with LOGIN_REQUIRED (exit 3).
 */
export function printTokenCommand(program: Command, start: StartCli): void {
  program
    .command('print-token')
    .description('print the access token alone on stdout (refreshed when needed, never expired)')
    .option('--header', 'print an HTTP header line: "Authorization: Bearer <token>" ("Authorization: Basic ..." for a username-and-password profile)')
    .action(async (options: { header?: boolean }, command: Command) => {
      const cli = start(command);
      const override = checkedEnvToken(cli.env);
      if (override !== undefined) {
        cli.out.info(ENV_TOKEN_NOTICE);
        process.stdout.write(tokenLine(override, options.header));
        return;
      }
      const session = await openSession(cli, { prompts: false });
      // Basic credentials only ever leave as a header line; alone, getToken refuses them (exit 2, with a hint).
      if (options.header && session.provider.basic !== undefined) {
        process.stdout.write(basicLine(await storedBasicCredential(session)));
        return;
      }
      const token = await getToken(session);
      process.stdout.write(tokenLine(token, options.header));
    });
}
