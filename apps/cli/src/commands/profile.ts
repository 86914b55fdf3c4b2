import type { Command } from 'commander';
import { stringify } from 'smol-toml';
import {
  AuthError,
  clientSecretKey,
  identityKey,
  listIdentities,
  openStore,
  tokenKey,
  updateConfig,
  type AuthctlConfig,
} from '@auth/core';
import { cliStore, loadProfileConfig, type Cli, type StartCli } from '../context.js';
import { profileImportCommand } from './profile-import.js';

export function profileCommand(program: Command, start: StartCli): void {
  const profile = program.command('profile').description('list, show, choose and delete profiles');

  profile
    .command('list')
    .description('list the profiles; the default one is marked with *')
    .action(async (_options: object, command: Command) => {
      const cli = start(command);
      const { config } = await loadProfileConfig(cli);
      const names = Object.keys(config.profiles).sort();
      if (cli.globals.json) {
        const profiles = names.map((name) => ({
          name,
          provider: providerOf(config, name),
          default: name === config.default_profile,
        }));
        cli.out.data(JSON.stringify({ default_profile: config.default_profile ?? null, profiles }));
        return;
      }
      if (names.length === 0) cli.out.info(`No profiles in ${config.file}; run \`authctl configure\` to add one`);
      for (const name of names) {
        if (cli.globals.plain) cli.out.data(name);
        else cli.out.data(`${name === config.default_profile ? '*' : ' '} ${name} (${providerOf(config, name) ?? 'no provider'})`);
      }
    });

  profile
    .command('show')
    .argument('[name]', 'profile to show (default: the selected profile)')
    .description('show the settings of a profile (secrets are never shown)')
    .action(async (nameArg: string | undefined, _options: object, command: Command) => {
      const cli = start(command);
      const { config, name: selected } = await loadProfileConfig(cli);
      const name = nameArg ?? selected;
      const settings = hideSecrets(requireProfile(config, name));
      const secretStored = (await openStore(config).get(clientSecretKey(name))) !== undefined;
      if (cli.globals.json) {
        cli.out.data(JSON.stringify({ name, default: name === config.default_profile, settings, client_secret_stored: secretStored }));
        return;
      }
      // Valid TOML, as config.toml would hold it: it can be pasted into another config or read by a TOML parser.
      if (name === config.default_profile) cli.out.data('# default profile');
      cli.out.data(stringify({ profiles: { [name]: settings } }).trimEnd());
      cli.out.data(`# client secret: ${secretStored ? 'in the credential store' : 'not stored'}`);
    });

  profile
    .command('use')
    .argument('<name>', 'profile to make the default')
    .description('make a profile the default (default_profile in config.toml)')
    .action(async (name: string, _options: object, command: Command) => {
      const cli = start(command);
      const { config } = await loadProfileConfig(cli);
      requireProfile(config, name);
      await updateConfig(config.file, (doc) => {
        doc.default_profile = name;
      });
      cli.out.info(`Default profile is now "${name}"`);
    });

  profile
    .command('delete')
    .argument('<name>', 'profile to delete')
    .option('-y, --yes', 'do not ask for confirmation')
    .description('delete a profile and its stored credentials (tokens, client secret)')
    .action(async (name: string, options: { yes?: boolean }, command: Command) => {
      const cli = start(command);
      const { config } = await loadProfileConfig(cli);
      requireProfile(config, name);
      if (cli.tty && !options.yes && !(await confirm(cli, `Delete profile "${name}" and its stored credentials? [y/N]`))) {
        throw new AuthError('CANCELLED', `profile "${name}" was not deleted`);
      }
      await updateConfig(config.file, (doc) => {
        const profiles = doc.profiles as Record<string, unknown> | undefined;
        if (profiles) delete profiles[name];
        if (doc.default_profile === name) delete doc.default_profile;
      });
      const store = cliStore(cli, config);
      // Every identity stored for the profile goes with it, not only the active one.
      const identityKeys = (await listIdentities(store, name)).filter((stored) => !stored.active).map((stored) => identityKey(name, stored.identity));
      const keys = [tokenKey(name), clientSecretKey(name), ...identityKeys];
      const deleted = (await Promise.all(keys.map((key) => store.delete(key)))).filter(Boolean).length;
      if (cli.globals.json) cli.out.event({ event: 'profile_deleted', profile: name, credentials_deleted: deleted });
      else cli.out.info(`Deleted profile "${name}" from ${config.file} and ${deleted} stored credential(s)`);
    });

  profileImportCommand(profile, start);
}

function requireProfile(config: AuthctlConfig, name: string): Record<string, unknown> {
  const table = config.profiles[name];
  if (!table) {
    throw new AuthError('PROFILE_NOT_FOUND', `profile "${name}" not found in ${config.file}`, {
      file: config.file,
      profile: name,
      hint: `run \`authctl profile list\` to see the profiles, or \`authctl configure --profile ${name}\` to create it`,
    });
  }
  return table;
}

function providerOf(config: AuthctlConfig, name: string): string | undefined {
  const provider = config.profiles[name]?.provider;
  return typeof provider === 'string' ? provider : undefined;
}

const SECRET_KEY = /secret|password|token$/i;

/** config.toml should hold no secret, but a hand-edited one might: never echo it. */
function hideSecrets(table: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(table).map(([key, value]) => [
      key,
      SECRET_KEY.test(key)
        ? '<hidden>'
        : value !== null && typeof value === 'object' && !Array.isArray(value)
          ? hideSecrets(value as Record<string, unknown>)
          : value,
    ]),
  );
}

async function confirm(cli: Cli, question: string): Promise<boolean> {
  return /^y(es)?$/i.test((await cli.interaction.prompt(question)).trim());
}
