import type { Command } from 'commander';
import { AuthError, listIdentities, removeIdentity, switchIdentity, type CredentialStore, type StoredIdentity } from '@auth/core';
import { openSession, type Cli, type StartCli } from '../context.js';

/**
 * `authctl user list | switch | remove`: several identities in one profile
 * (gh `auth switch`, kms `user switch`). The active identity is the one
 * print-token, exec and status use; the others wait in the store, untouched,
 * until switched to. See core's session/identities.ts.
 */
export function userCommand(program: Command, start: StartCli): void {
  const user = program.command('user').description('list, switch and remove the identities logged in to a profile');

  user
    .command('list')
    .description('list the identities stored for the profile; the active one is marked with *')
    .action(async (_options: object, command: Command) => {
      const cli = start(command);
      const session = await openSession(cli);
      const name = session.profile.name;
      const stored = await listIdentities(session.store, name);
      if (cli.globals.json) {
        const rows = stored.map(({ identity, active, credential }) => ({ identity, active, flow: credential.flow, expires_at: credential.tokens.expires_at }));
        cli.out.data(JSON.stringify(rows));
        return;
      }
      if (stored.length === 0) cli.out.info(`No identities stored for profile "${name}"; run \`authctl login --profile ${name}\``);
      const width = Math.max(0, ...stored.map(({ identity }) => identity.length));
      for (const entry of stored) cli.out.data(cli.globals.plain ? entry.identity : listLine(entry, width));
    });

  user
    .command('switch')
    .argument('[identity]', 'identity to make active (default: the only other one, else a choice on a terminal)')
    .description('make another stored identity the active one; print-token, exec and status follow it')
    .action(async (identityArg: string | undefined, _options: object, command: Command) => {
      const cli = start(command);
      const session = await openSession(cli);
      const name = session.profile.name;
      const identity = identityArg ?? (await chooseIdentity(cli, session.store, name));
      const { previous } = await switchIdentity(session.store, name, identity);
      if (cli.globals.json) cli.out.event({ event: 'identity_switched', profile: name, identity, previous: previous ?? null });
      else if (previous === identity) cli.out.info(`${identity} already is the active identity of profile "${name}"`);
      else cli.out.info(`Profile "${name}" now uses ${identity}${previous === undefined ? '' : `; ${previous} stays stored`}`);
    });

  user
    .command('remove')
    .argument('<identity>', 'identity to log out')
    .description('log one identity out: revoke its tokens at the IdP (when it has a revocation endpoint), then delete them')
    .action(async (identity: string, _options: object, command: Command) => {
      const cli = start(command);
      const session = await openSession(cli);
      const name = session.profile.name;
      const { wasActive, active, revoked, deleted } = await removeIdentity(session, identity);
      if (cli.globals.json) {
        cli.out.event({ event: 'identity_removed', profile: name, identity, was_active: wasActive, active: active ?? null, revoked, deleted });
        return;
      }
      cli.out.info(
        revoked
          ? `Removed ${identity} from profile "${name}": tokens revoked at the IdP and deleted`
          : `Removed ${identity} from profile "${name}": tokens deleted (not revoked at the IdP, so they stay valid until they expire)`,
      );
      if (!wasActive) return;
      cli.out.info(
        active === undefined
          ? `Profile "${name}" has no identity now: \`authctl login --profile ${name}\` adds one`
          : `Profile "${name}" now uses ${active} (\`authctl user switch --profile ${name}\` picks another)`,
      );
    });
}

function listLine({ identity, active, credential }: StoredIdentity, width: number): string {
  const until = new Date(credential.tokens.expires_at * 1000).toISOString();
  return `${active ? '*' : ' '} ${identity.padEnd(width)}  ${credential.flow.padEnd(18)}  token until ${until}`;
}

/** `user switch` without a name: the only other identity, else a choice on a terminal, else a usage error naming them. */
async function chooseIdentity(cli: Cli, store: CredentialStore, profile: string): Promise<string> {
  const waiting = (await listIdentities(store, profile)).filter((entry) => !entry.active).map((entry) => entry.identity);
  if (waiting.length === 0) {
    throw new AuthError('USAGE', `profile ${profile} has no other identity to switch to`, {
      profile,
      hint: `log in as someone else with \`authctl login --profile ${profile}\``,
    });
  }
  if (waiting.length === 1) return waiting[0]!;
  if (!cli.tty) {
    throw new AuthError('USAGE', `name the identity to switch profile ${profile} to: ${waiting.join(', ')}`, {
      profile,
      hint: `run \`authctl user switch IDENTITY --profile ${profile}\``,
    });
  }
  const { default: select } = await import('@inquirer/select');
  try {
    return await select({ message: `Switch profile ${profile} to`, choices: waiting.map((value) => ({ value })) }, { output: process.stderr });
  } catch (error) {
    // Ctrl+C at the choice.
    if (error instanceof Error && error.name === 'ExitPromptError') throw new AuthError('CANCELLED', 'cancelled at the prompt', { cause: error });
    throw error;
  }
}
