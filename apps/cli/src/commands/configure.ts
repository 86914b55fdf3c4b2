import { Option, type Command } from 'commander';
import {
  AuthError,
  clientSecretKey,
  resolveProfile,
  updateConfig,
  type AuthctlConfig,
  type LoginFlowId,
  type Provider,
} from '@auth/core';
import { cliStore, importProvider, loadProfileConfig, readStdinSecret, type Cli, type StartCli } from '../context.js';
import { installedProviderIds } from '../plugins/cli-providers.js';
import { envClientSecret } from '../service-account-env.js';
import { LOGIN_FLOWS } from './login.js';
import { fieldKind, parseFieldValue, providerFields, type ProviderField } from '../provider-fields.js';

interface ConfigureFlags {
  provider?: string;
  clientId?: string;
  flow?: LoginFlowId;
  scopes?: string[];
  serviceAccountId?: string;
  clientSecretStdin?: boolean;
  set: string[];
  default?: boolean;
}

type Table = Record<string, unknown>;

export function configureCommand(program: Command, start: StartCli): void {
  program
    .command('configure')
    .description('create or update a profile: interactively, or entirely by flags')
    .option('--provider <id>', 'provider plugin id (asked, with the installed ones offered, when left out)')
    .option('--client-id <id>', 'OAuth client id')
    .addOption(new Option('--flow <flow>', 'default login flow').choices(LOGIN_FLOWS))
    .option('--scopes <list>', 'scopes, comma separated', (value: string) => value.split(',').map((s) => s.trim()).filter(Boolean))
    .option('--service-account-id <id>', 'client id of the service account (login --serviceaccount)')
    .option('--client-secret-stdin', 'read the service-account client secret from stdin (else AUTHCTL_CLIENT_SECRET)')
    .option('--set <key=value>', 'a provider or profile key, e.g. issuer=https://idp.example.com (repeatable)', collect, [])
    .option('--default', 'make this the default profile')
    .addHelpText(
      'after',
      '\nWithout flags it asks for each value (hidden input for the secret). Secrets go to the credential store, never to config.toml.',
    )
    .action(async (flags: ConfigureFlags, command: Command) => {
      const cli = start(command);
      const { config, name } = await loadProfileConfig(cli);
      const table: Table = structuredClone(config.profiles[name] ?? {});
      const given =
        [flags.provider, flags.clientId, flags.flow, flags.scopes, flags.serviceAccountId, flags.clientSecretStdin, flags.default].some(
          (value) => value !== undefined,
        ) || flags.set.length > 0;
      const interactive = !given || (cli.tty && flags.provider === undefined && table.provider === undefined);
      const ask = new Questions(cli, interactive);
      if (ask.asking) {
        cli.out.info(
          config.profiles[name] === undefined
            ? `Creating profile "${name}" in ${config.file}`
            : `Editing profile "${name}" in ${config.file}; press Enter to keep the value in [brackets]`,
        );
      }

      const providerId = flags.provider ?? (await ask.text('Provider', { current: table.provider, suggestions: installedProviderIds(config, cli.env) })) ?? table.provider;
      if (typeof providerId !== 'string' || providerId === '') {
        throw new AuthError('USAGE', `profile "${name}" needs a provider`, { hint: 'pass --provider ID, the id of an installed provider plugin' });
      }
      table.provider = providerId;
      const provider = await importProvider(providerId, config, cli.env);
      const fields = providerFields(provider.options);

      for (const assignment of flags.set) applySetting(table, assignment, fields, name);
      for (const field of fields) {
        if (!ask.asking) break;
        // A table (e.g. [profiles.NAME.admin]) is set key by key with --set, not answered in one line.
        if (field.kind === 'table' || flags.set.some((assignment) => assignment.startsWith(`${field.key}=`))) continue;
        const answer = await ask.text(fieldQuestion(field), { current: table[field.key] });
        if (answer !== undefined) table[field.key] = parseFieldValue(field.kind, answer, `profiles.${name}.${field.key}`);
      }

      if (flags.clientId !== undefined) table.client_id = flags.clientId;
      else setIfAnswered(table, 'client_id', await ask.text('Client ID', { current: table.client_id }));
      if (flags.flow !== undefined) table.flow = flags.flow;
      else setIfAnswered(table, 'flow', await ask.text('Login flow', { current: table.flow, choices: LOGIN_FLOWS }));
      if (flags.scopes !== undefined) table.scopes = flags.scopes;

      const serviceAccount = (table.service_account ?? {}) as Table;
      const serviceAccountId = flags.serviceAccountId ?? (await ask.text('Service account ID', { current: serviceAccount.client_id }));
      if (serviceAccountId) table.service_account = { ...serviceAccount, client_id: serviceAccountId };

      const secret = await clientSecret(cli, flags, ask, serviceAccountId !== undefined && serviceAccountId !== '');

      validate(config, name, table, provider);
      let madeDefault = false;
      await updateConfig(config.file, (doc) => {
        const profiles = (doc.profiles ??= {}) as Table;
        profiles[name] = table;
        if (flags.default || doc.default_profile === undefined) {
          doc.default_profile = name;
          madeDefault = true;
        }
      });
      if (secret !== undefined) await cliStore(cli, config).set(clientSecretKey(name), { kind: 'secret', value: secret });

      if (cli.globals.json) {
        cli.out.event({ event: 'configured', profile: name, file: config.file, default: madeDefault, client_secret_stored: secret !== undefined });
        return;
      }
      cli.out.info(`Profile "${name}" saved in ${config.file}${madeDefault ? ' (default profile)' : ''}`);
      if (secret !== undefined) cli.out.info('Client secret saved in the credential store');
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `--set KEY=VALUE`, with dotted keys for tables (`parameters.audience=api`). */
function applySetting(table: Table, assignment: string, fields: ProviderField[], profile: string): void {
  const equals = assignment.indexOf('=');
  if (equals <= 0) {
    throw new AuthError('USAGE', `--set expects KEY=VALUE, got "${assignment.split('=')[0]}"`, { hint: 'e.g. --set issuer=https://idp.example.com' });
  }
  const path = assignment.slice(0, equals).trim().split('.');
  const raw = assignment.slice(equals + 1);
  const where = `profiles.${profile}.${path.join('.')}`;
  const [first, ...rest] = path;
  if (!first) return;
  if (rest.length === 0) {
    table[first] = parseFieldValue(fieldKind(first, fields), raw, where);
    return;
  }
  let target = table;
  for (const key of path.slice(0, -1)) {
    const next = target[key];
    target = (target[key] = next !== null && typeof next === 'object' && !Array.isArray(next) ? next : {}) as Table;
  }
  target[path[path.length - 1] as string] = raw;
}

function fieldQuestion(field: ProviderField): string {
  const notes = [field.description, field.defaultValue !== undefined ? `default ${String(field.defaultValue)}` : field.required ? undefined : 'optional'];
  const shown = notes.filter((note) => note !== undefined);
  const label = humanLabel(field.key);
  return shown.length > 0 ? `${label} (${shown.join('; ')})` : label;
}

/** Words a config key spells in lower case that a person reads in capitals. */
const ACRONYMS = new Set(['url', 'uri', 'id', 'ca', 'http', 'https', 'jwt', 'oidc', 'api']);

/** A provider's config key as a person reads it: `token_url` is "Token URL", `base_path` "Base path". */
function humanLabel(key: string): string {
  return key
    .split('_')
    .filter((word) => word !== '')
    .map((word, i) => (ACRONYMS.has(word) ? word.toUpperCase() : i === 0 ? word[0]!.toUpperCase() + word.slice(1) : word))
    .join(' ');
}

function setIfAnswered(table: Table, key: string, answer: string | undefined): void {
  if (answer !== undefined && answer !== '') table[key] = answer;
}

/**
 * The service-account secret: `--client-secret-stdin`, else AUTHCTL_CLIENT_SECRET (or kxi's KXI_SERVICEACCOUNT_SECRET),
 * else asked with hidden input and confirmation when configuring a service
 * account interactively or on a terminal. Never a flag value.
 */
async function clientSecret(cli: Cli, flags: ConfigureFlags, ask: Questions, hasServiceAccount: boolean): Promise<string | undefined> {
  if (flags.clientSecretStdin) return readStdinSecret(cli, 'Client secret');
  const fromEnv = envClientSecret(cli.env);
  if (fromEnv !== undefined) return fromEnv;
  const askNow = ask.asking || (cli.tty && flags.serviceAccountId !== undefined);
  if (!askNow || !hasServiceAccount) return undefined;
  const secret = await cli.interaction.promptSecret('Service account secret (empty keeps the stored one)', { confirm: true });
  return secret === '' ? undefined : secret;
}

/** Core's own checks on the would-be profile, so config.toml is only written once it is valid. */
function validate(config: AuthctlConfig, name: string, table: Table, provider: Provider<unknown>): void {
  resolveProfile({ ...config, profiles: { ...config.profiles, [name]: table } }, name, provider);
}

/**
 * Interactive questions, shown as `Question [current]:`. An empty answer
 * keeps the current value. When not asking (configuration by flags) every
 * question answers undefined.
 */
class Questions {
  constructor(
    private readonly cli: Cli,
    readonly asking: boolean,
  ) {}

  async text(
    question: string,
    options: { current?: unknown; suggestions?: string[]; choices?: readonly string[] } = {},
  ): Promise<string | undefined> {
    if (!this.asking) return undefined;
    const current = options.current === undefined ? '' : Array.isArray(options.current) ? options.current.join(',') : String(options.current);
    const hint = options.choices ?? options.suggestions;
    const label = `${question}${hint && hint.length > 0 ? ` (${hint.join(', ')})` : ''} [${current}]:`;
    for (let attempt = 1; ; attempt += 1) {
      const answer = (await this.cli.interaction.prompt(label)).trim() || current;
      if (!options.choices || answer === '' || options.choices.includes(answer)) return answer === '' ? undefined : answer;
      const problem = `"${answer}" is not one of ${options.choices.join(', ')}`;
      if (!this.cli.tty || attempt >= 3) throw new AuthError('USAGE', problem, { hint: `answer one of ${options.choices.join(', ')}` });
      this.cli.out.essential(problem);
    }
  }
}
