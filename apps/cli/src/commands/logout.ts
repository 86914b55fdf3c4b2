import type { Command } from 'commander';
import { logout, type LogoutResult, type RevocableToken } from '@auth/core';
import { openSession, type StartCli } from '../context.js';

export function logoutCommand(program: Command, start: StartCli): void {
  program
    .command('logout')
    .description('revoke the tokens at the IdP (when it has a revocation endpoint), then delete the stored tokens')
    .action(async (_options: object, command: Command) => {
      const cli = start(command);
      const session = await openSession(cli);
      const result = await logout(session);
      const name = session.profile.name;
      if (cli.globals.json) {
        const { revocation } = result;
        cli.out.event({
          event: 'logged_out',
          profile: name,
          revoked: result.revoked,
          revoked_tokens: revocation.outcome === 'answered' ? revocation.revoked : [],
          unrevocable_tokens: revocation.outcome === 'answered' ? revocation.unrevocable : [],
          deleted: result.deleted,
        });
        return;
      }
      cli.out.info(result.deleted ? `Logged out of profile "${name}": ${summary(result)}` : `Profile "${name}" was not logged in; nothing to delete`);
    });
}

const NAMES: Record<RevocableToken, string> = { refresh_token: 'refresh token', access_token: 'access token' };

/** Exactly what the IdP revoked and what stays valid, in one line (RFC 7009 §2.2 and §2.2.1). */
function summary({ revocation }: LogoutResult): string {
  if (revocation.outcome === 'none') return 'stored credential deleted';
  const until = new Date(revocation.accessTokenExpiresAt * 1000).toISOString();
  switch (revocation.outcome) {
    case 'unsupported':
      return `stored tokens deleted; the IdP offers no revocation, so the access token stays valid until ${until}`;
    case 'failed':
      return `stored tokens deleted, but not revoked at the IdP (see above), so the access token stays valid until ${until}`;
    case 'answered': {
      const parts: string[] = [];
      if (revocation.revoked.length > 0) parts.push(`${listed(revocation.revoked)} revoked at the IdP`);
      const { unrevocable } = revocation;
      if (unrevocable.length === 2) parts.push('the refresh and access tokens cannot be revoked there and stay valid until they expire');
      else if (unrevocable[0] === 'access_token') parts.push(`the access token cannot be revoked there and stays valid until ${until}`);
      else if (unrevocable[0] === 'refresh_token') parts.push('the refresh token cannot be revoked there and stays valid until it expires');
      return `${parts.join('; ')}; stored tokens deleted`;
    }
  }
}

function listed(tokens: RevocableToken[]): string {
  return tokens.length === 2 ? 'refresh and access tokens' : NAMES[tokens[0]!];
}
