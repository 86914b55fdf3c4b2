import type { Command } from 'commander';
import {
  AuthError,
  clientSecretKey,
  getToken,
  isProfileName,
  loadConfig,
  PROFILE_NAME_RULE,
  profileFetch,
  profileProviderId,
  resolveProfile,
  updateConfig,
  type AdminCommand,
  type AdminContext,
  type AdminOption,
  type AuthctlConfig,
  type Provider,
} from '@auth/core';
import { cliStore, importProvider, loadProfileConfig, openSession, readStdinSecret, type Cli, type StartCli } from '../context.js';
import { createVerboseFetch } from '../http/verbose-fetch.js';
import type { PluginsConfig } from '../plugins/cli-providers.js';

/** Global options that take a value, so the word after them is not a command. */
const VALUE_OPTIONS = new Set(['--profile', '--config']);
const PROVIDER_ID = /^[a-z0-9][a-z0-9-]*$/;

/**
 * `authctl <provider-id> <group> <command> …`: mounts the admin commands a
 * provider plugin declares (its `admin` capability). The provider is the one
 * named by the first word of argv when that is not a built-in command; the
 * CLI itself never names one. At run time the selected profile must use that
 * provider.
 */
export async function mountProviderAdmin(program: Command, start: StartCli, argv: string[]): Promise<Command> {
  const word = firstCommandWord(argv);
  if (word === undefined || !PROVIDER_ID.test(word) || program.commands.some((c) => c.name() === word || c.aliases().includes(word))) {
    return program;
  }
  let provider: Provider<any>;
  try {
    provider = await importProvider(word, await pluginsConfig(argv));
  } catch (error) {
    // Not a provider either: commander reports the unknown command.
    if (AuthError.is(error) && error.code === 'PROVIDER_NOT_FOUND') return program;
    throw error;
  }
  if (!provider.admin) {
    throw new AuthError('USAGE', `the provider "${provider.id}" has no admin commands`, { hint: 'run `authctl --help` for the commands there are' });
  }
  const root = program.command(provider.id).description(`${provider.name} administration (profile with provider = "${provider.id}")`);
  const passwords = (provider.admin.credentials ?? ['password']).includes('password');
  for (const definition of provider.admin.commands) mount(root, provider, definition, start, passwords);
  return program;
}

/** The config's `plugins = [...]`, so a plugin named only there mounts its commands too; a config that cannot be read is the command's to report. */
async function pluginsConfig(argv: string[]): Promise<PluginsConfig | undefined> {
  const flag = argv.indexOf('--config');
  const file = flag >= 0 ? argv[flag + 1] : argv.find((word) => word.startsWith('--config='))?.slice('--config='.length);
  return loadConfig({ ...(file === undefined ? {} : { file }), env: process.env, warn: () => {} }).catch(() => undefined);
}

function firstCommandWord(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i += 1) {
    const word = argv[i]!;
    if (word === '--') return argv[i + 1];
    if (!word.startsWith('-')) return word;
    if (VALUE_OPTIONS.has(word)) i += 1;
  }
  return undefined;
}

/** `passwords`: the capability's administrator may log in with a password, so the CLI offers its sources. */
function mount(root: Command, provider: Provider<any>, definition: AdminCommand<any>, start: StartCli, passwords: boolean): void {
  let parent = root;
  for (const word of definition.path.slice(0, -1)) {
    parent = parent.commands.find((c) => c.name() === word) ?? parent.command(word).description(`${word} commands`);
  }
  const command = parent.command(definition.path.at(-1)!).description(definition.summary);
  for (const arg of definition.args ?? []) {
    const name = `${arg.name.toUpperCase()}${arg.variadic ? '...' : ''}`;
    command.argument(arg.required === false ? `[${name}]` : `<${name}>`, arg.description);
  }
  for (const option of definition.options ?? []) {
    command.option(option.value ? `--${option.name} <${option.value}>` : `--${option.name}`, option.description);
  }
  if (passwords) {
    command
      .option('--admin-password-stdin', 'read the admin password from stdin, first line (a secret asked by another --*-stdin flag comes next)')
      .addHelpText('after', '\nThe admin password comes from AUTHCTL_ADMIN_PASSWORD, --admin-password-stdin or a hidden prompt; it is never stored.');
  }
  command.action(async (...params: unknown[]) => {
    const self = params.at(-1) as Command;
    const cli = start(self);
    await runAdminCommand(cli, provider, definition, self);
  });
}

async function runAdminCommand(cli: Cli, provider: Provider<any>, definition: AdminCommand<any>, command: Command): Promise<void> {
  const { config, name } = await loadProfileConfig(cli);
  const used = profileProviderId(config, name);
  if (used !== provider.id) {
    throw new AuthError('CONFIG_INVALID', `profile "${name}" uses provider "${used}", but \`authctl ${provider.id}\` needs a profile with provider = "${provider.id}"`, {
      file: config.file,
      profile: name,
      key: `profiles.${name}.provider`,
      hint: `pass --profile NAME of a ${provider.name} profile (\`authctl profile list\` shows the providers)`,
    });
  }
  const profile = resolveProfile(config, name, provider, {}, cli.env);
  const flags = command.opts<Record<string, string | boolean | undefined>>();

  const args: Record<string, string | string[] | undefined> = {};
  (definition.args ?? []).forEach((arg, index) => {
    args[arg.name] = command.processedArgs[index] as string | string[] | undefined;
  });
  for (const option of definition.options ?? []) {
    if (option.newProfile && typeof flags[optionKey(option)] === 'string') refuseExisting(config, flags[optionKey(option)] as string);
  }

  // Stdin order: the admin password first, then each secret flag in declaration order. Without a
  // terminal to prompt on and without AUTHCTL_ADMIN_PASSWORD, stdin is the only source left; it is
  // then read up front only when another secret follows it there, else when the command asks (a
  // command authenticating otherwise, e.g. with a shared secret, never needs it).
  const secretFlags = (definition.options ?? []).some((option) => option.secretFromStdin && flags[optionKey(option)] === true);
  const admin = provider.admin!;
  const usesPassword = (admin.credentialFor?.(profile.settings) ?? admin.credentials?.[0] ?? 'password') === 'password';
  const adminFromStdin = flags.adminPasswordStdin === true || (usesPassword && !cli.tty && !cli.env.AUTHCTL_ADMIN_PASSWORD);
  let adminPassword: Promise<string> | undefined =
    adminFromStdin && (flags.adminPasswordStdin === true || secretFlags) ? readStdinSecret(cli, 'Admin password') : undefined;
  if (adminPassword) await adminPassword;
  const options: Record<string, string | boolean | undefined> = {};
  for (const option of definition.options ?? []) {
    const value = flags[optionKey(option)];
    options[option.name] = option.secretFromStdin && value === true ? await readStdinSecret(cli, option.secretFromStdin) : value;
  }

  const settings = profile.settings;
  // The profile's ca_file and the proxy variables apply to admin calls exactly as to a login.
  const fetch = profileFetch(profile, cli.env);
  const ctx: AdminContext<any> = {
    profile: name,
    settings,
    env: cli.env,
    adminPassword: (adminUser) =>
      (adminPassword ??= (async () => {
        if (adminFromStdin) return readStdinSecret(cli, 'Admin password');
        const secret = cli.env.AUTHCTL_ADMIN_PASSWORD || (await cli.interaction.promptSecret(`Admin password${adminUser ? ` for ${adminUser}` : ''}`));
        cli.out.addSecret(secret);
        return secret;
      })()),
    profileToken: async () => {
      const token = (await getToken(await openSession(cli, { prompts: false }))).access_token;
      cli.out.addSecret(token);
      return token;
    },
    interaction: cli.interaction,
    fetch: cli.globals.verbose ? createVerboseFetch(fetch, (line) => cli.out.essential(line)) : fetch,
    signal: cli.signal,
    ...(settings.timeout === undefined ? {} : { timeoutMs: settings.timeout * 1000 }),
    saveProfile: (profileName, table, secrets) => saveProfile(cli, config, profileName, table, secrets?.clientSecret),
  };
  cli.out.addSecret(cli.env.AUTHCTL_ADMIN_PASSWORD);

  const result = await definition.run(ctx, { args, options });
  if (cli.globals.json) cli.out.data(JSON.stringify(result.data));
  else for (const line of result.render()) cli.out.data(line);
}

/** Commander's camelCase key of an option (`--token-lifespan` → `tokenLifespan`). */
function optionKey(option: AdminOption): string {
  return option.name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** A profile an admin command is about to create: a valid name, not taken yet. */
function refuseExisting(config: AuthctlConfig, name: string): void {
  if (!isProfileName(name)) {
    throw new AuthError('USAGE', `"${name}" is not a valid profile name: ${PROFILE_NAME_RULE}`, { profile: name, hint: 'choose a name that follows the rule' });
  }
  if (config.profiles[name]) {
    throw new AuthError('USAGE', `profile "${name}" already exists in ${config.file}`, {
      file: config.file,
      profile: name,
      hint: `choose another name, or delete it first: authctl profile delete ${name}`,
    });
  }
}

/** A new profile validated by its provider's schema, written atomically; its secret goes to the credential store only. */
async function saveProfile(cli: Cli, config: AuthctlConfig, name: string, table: Record<string, unknown>, clientSecret: string | undefined): Promise<void> {
  refuseExisting(config, name);
  const provider = await importProvider(String(table.provider), config, cli.env);
  resolveProfile({ ...config, profiles: { ...config.profiles, [name]: table } }, name, provider);
  await updateConfig(config.file, (doc) => {
    const profiles = (doc.profiles ??= {}) as Record<string, unknown>;
    profiles[name] = table;
  });
  if (clientSecret !== undefined) await cliStore(cli, config).set(clientSecretKey(name), { kind: 'secret', value: clientSecret });
  cli.out.info(`Profile "${name}" saved in ${config.file}${clientSecret === undefined ? '' : '; its client secret is in the credential store'}`);
}
