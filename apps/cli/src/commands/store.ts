import { Argument, type Command } from 'commander';
import { describeStore, switchStoreBackend, type StoreBackend, type StoreDescription } from '@auth/core';
import { loadProfileConfig, type Cli, type StartCli } from '../context.js';

const BACKENDS: readonly StoreBackend[] = ['auto', 'keyring', 'file'];

/**
 * `authctl store show | use <backend>` (kms `vaults`): where credentials are
 * kept, and moving all of them to another backend. See core's
 * stores/describe-store.ts and stores/switch-store.ts.
 */
export function storeCommand(program: Command, start: StartCli): void {
  const store = program.command('store').description('show or change where credentials are kept (OS keyring or files)');

  store
    .command('show')
    .description('show the configured backend, the one in effect, where it keeps credentials and how many')
    .action(async (_options: object, command: Command) => {
      const cli = start(command);
      const { config } = await loadProfileConfig(cli);
      const shown = await describeStore(config);
      if (cli.globals.json) cli.out.data(JSON.stringify(shown));
      else for (const [key, value] of showLines(shown)) cli.out.data(cli.globals.plain ? `${key}=${value}` : `${key.padEnd(12)} ${value}`);
    });

  store
    .command('use')
    .addArgument(new Argument('<backend>', 'where to keep credentials from now on').choices(BACKENDS))
    .description('move every credential (tokens, client secrets, all identities) to a backend, then make it the setting')
    .action(async (backend: StoreBackend, _options: object, command: Command) => {
      const cli = start(command);
      const { config } = await loadProfileConfig(cli);
      const result = await switchStoreBackend(config, backend);
      if (cli.globals.json) {
        const { from, to, effective, moved, leftovers, keyringUnreachable } = result;
        cli.out.event({ event: 'store_switched', from, to, effective, moved: moved.length, leftovers, keyring_unreachable: keyringUnreachable ?? null });
      } else {
        const where = result.effective === 'keyring' ? 'the OS keyring' : 'files';
        cli.out.info(`Credentials are now kept in ${where} (store.backend = "${backend}" in ${config.file}); ${countOf(result.moved.length)} moved`);
      }
      warnLeftovers(cli, result.leftovers, result.from);
      if (result.keyringUnreachable !== undefined && result.from === 'keyring') {
        cli.out.essential(
          `warning: the OS keyring is not usable (${result.keyringUnreachable}), so the credentials kept in it were not moved; ` +
            'log in again, or run this command again once the keyring is usable',
        );
      }
    });
}

function showLines(shown: StoreDescription): Array<[string, string]> {
  const { keyring } = shown;
  return [
    ['backend', shown.configured],
    ['effective', shown.effective ?? 'none (the OS keyring is not usable)'],
    ['location', shown.effective === 'keyring' ? `${keyring.name}, service "${keyring.service}"` : shown.files],
    ['credentials', shown.credentials === null ? 'unknown' : String(shown.credentials)],
    ['keyring', keyring.usable ? `${keyring.name}: usable` : `${keyring.name}: not usable (${keyring.reason})`],
  ];
}

function countOf(n: number): string {
  return `${n} credential${n === 1 ? '' : 's'}`;
}

/** The switch succeeded, but old copies of secrets remain: say which, so they can be removed. */
function warnLeftovers(cli: Cli, leftovers: string[], from: StoreBackend): void {
  if (leftovers.length === 0) return;
  cli.out.essential(
    `warning: ${countOf(leftovers.length)} could not be deleted from the old backend (${from}) and remain there: ${leftovers.join(', ')}`,
  );
}
