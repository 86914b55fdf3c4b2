import { AuthError, listIdentities, type CredentialStore } from '@auth/core';
import type { Cli } from './context.js';

/**
 * How `login` treats a stored login of the identity that just logged in:
 * `--replace` replaces it; on a terminal the person is asked; anywhere else
 * the login is refused (exit 2), so a script never silently throws away a
 * working login. Undefined means replace without asking.
 */
export function replacePolicy(cli: Cli, profile: string, replace: boolean): ((identity: string) => Promise<boolean>) | undefined {
  if (replace) return undefined;
  return async (identity) => {
    if (!cli.tty) {
      throw new AuthError('USAGE', `profile ${profile} already holds a login of ${identity}; it was kept`, {
        profile,
        hint: `add --replace to the login command to replace it, or run the login on a terminal to be asked (\`authctl user list --profile ${profile}\` shows the stored logins)`,
      });
    }
    const answer = await cli.interaction.prompt(`Replace the stored login of ${identity} in profile ${profile}? [y/N]`);
    return /^y(es)?$/i.test(answer.trim());
  };
}

/** After a login: who is active now, and who else waits in the profile. */
export async function reportIdentities(cli: Cli, store: CredentialStore, profile: string): Promise<void> {
  if (cli.out.options.silent || cli.out.options.json) return;
  const stored = await listIdentities(store, profile);
  const identity = stored.find((entry) => entry.active)?.identity;
  const others = stored.filter((entry) => !entry.active).map((entry) => entry.identity);
  if (identity === undefined) return;
  cli.out.info(
    others.length === 0
      ? `Identity: ${identity}`
      : `Identity: ${identity}; also stored: ${others.join(', ')} (switch with \`authctl user switch${others.length === 1 ? ` ${others[0]}` : ''} --profile ${profile}\`)`,
  );
}
