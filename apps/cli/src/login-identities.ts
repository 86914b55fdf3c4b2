import { listIdentities, type CredentialStore } from '@auth/core';
import type { Cli } from './context.js';

/**
 * How `login` treats a stored login of the identity that just logged in: a
 * person on a terminal is asked (core asks before the browser page says the
 * login is complete, and never for a service account); with `--replace`, or
 * where nobody can answer (a script, a CI job logging in on every run), it
 * is replaced. Undefined means replace without asking.
 */
export function replacePolicy(cli: Cli, profile: string, replace: boolean): ((identity: string) => Promise<boolean>) | undefined {
  if (replace || !cli.tty) return undefined;
  return async (identity) => {
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
