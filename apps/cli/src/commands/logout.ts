import type { Command } from 'commander';
import { logout } from '@auth/core';
import { openSession, type StartCli } from '../context.js';

export function logoutCommand(program: Command, start: StartCli): void {
  program
    .command('logout')
    .description('revoke the refresh token at the IdP (when it has a revocation endpoint), then delete the stored tokens')
    .action(async (_options: object, command: Command) => {
      const cli = start(command);
      const session = await openSession(cli);
      const { revoked, deleted } = await logout(session);
      const name = session.profile.name;
      if (cli.globals.json) {
        cli.out.event({ event: 'logged_out', profile: name, revoked, deleted });
        return;
      }
      if (!deleted) cli.out.info(`Profile "${name}" was not logged in; nothing to delete`);
      else if (revoked) cli.out.info(`Logged out of profile "${name}": token revoked at the IdP and deleted`);
      else cli.out.info(`Logged out of profile "${name}": token deleted (the IdP offers no revocation, so it stays valid until it expires)`);
    });
}
