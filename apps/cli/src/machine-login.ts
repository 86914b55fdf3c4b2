/**
 * `authctl login --method <machine method>`: the kms (Infisical CLI) flags
 * and environment variables of a machine-identity login, so a kms script
 * works once the binary is renamed. The settings given are kept in the
 * profile (created when missing) with the provider that proves the method,
 * so `print-token` can renew the token and log in again later; a client
 * secret given by flag or stdin goes to the credential store, never to
 * config.toml.
 */
import {
  AuthError,
  BUILT_IN_PROVIDERS,
  clientSecretKey,
  loadProvider,
  login,
  resolveProfile,
  updateConfig,
  type Provider,
  type ProviderCatalog,
} from '@auth/core';
import { cliStore, loadProfileConfig, openSession, readStdinSecret, type Cli } from './context.js';
import { cliProviders } from './plugins/cli-providers.js';

/** The flags of `login` a machine-identity login reads (kms names). */
export interface MachineFlags {
  method?: string;
  domain?: string;
  clientId?: string;
  clientSecret?: string;
  clientSecretStdin?: boolean;
  machineIdentityId?: string;
  serviceAccountTokenPath?: string;
  serviceAccountKeyFilePath?: string;
  jwt?: string;
  jwtFile?: string;
  organizationSlug?: string;
}

type Table = Record<string, unknown>;

/** Profile keys a machine login sets, from flag or (kms) environment variable; flag first. */
const SETTINGS: ReadonlyArray<{ key: string; flag: keyof MachineFlags; env: readonly string[] }> = [
  { key: 'domain', flag: 'domain', env: ['INFISICAL_DOMAIN', 'INFISICAL_API_URL'] },
  { key: 'client_id', flag: 'clientId', env: ['INFISICAL_UNIVERSAL_AUTH_CLIENT_ID'] },
  { key: 'identity_id', flag: 'machineIdentityId', env: ['INFISICAL_MACHINE_IDENTITY_ID'] },
  { key: 'service_account_token_path', flag: 'serviceAccountTokenPath', env: ['INFISICAL_KUBERNETES_SERVICE_ACCOUNT_TOKEN_PATH'] },
  { key: 'service_account_key_file_path', flag: 'serviceAccountKeyFilePath', env: ['INFISICAL_GCP_IAM_SERVICE_ACCOUNT_KEY_FILE_PATH'] },
  { key: 'jwt_file', flag: 'jwtFile', env: [] },
  { key: 'organization_slug', flag: 'organizationSlug', env: ['INFISICAL_AUTH_ORGANIZATION_SLUG'] },
];

/** Keys of a profile that belong to its machine login, dropped when the method changes. */
const METHOD_KEYS = ['provider', 'method', ...SETTINGS.map((setting) => setting.key)];

/** kms flags that carry a secret in argv, where `ps` shows it to every local user. */
export const ARGV_SECRETS: Readonly<Record<string, string>> = {
  '--client-secret': 'INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET or AUTHCTL_CLIENT_SECRET, or --client-secret-stdin',
  '--password': 'INFISICAL_PASSWORD or AUTHCTL_PASSWORD, or --password-stdin',
  '--jwt': 'INFISICAL_JWT or --jwt-file',
};

/** kms accepts secrets in argv, and so does authctl, with a warning (dropped by --silent) naming the safer sources. */
export function warnArgvSecret(cli: Cli, flag: string, value: string | undefined): void {
  if (value === undefined) return;
  cli.out.addSecret(value);
  cli.out.info(`warning: ${flag} on the command line can be read by other users of this machine (ps, /proc); use ${ARGV_SECRETS[flag]} instead`);
}

export async function machineLogin(cli: Cli, method: string, flags: MachineFlags): Promise<void> {
  warnArgvSecret(cli, '--client-secret', flags.clientSecret);
  warnArgvSecret(cli, '--jwt', flags.jwt);
  if (flags.clientSecret !== undefined && flags.clientSecretStdin) {
    throw new AuthError('USAGE', 'both --client-secret and --client-secret-stdin were given', { hint: 'pass one of them' });
  }
  const { config, name } = await loadProfileConfig(cli);
  const existing = Object.hasOwn(config.profiles, name) ? config.profiles[name]! : undefined;
  if (existing !== undefined && existing.method === undefined) {
    throw new AuthError('USAGE', `profile "${name}" in ${config.file} is a ${String(existing.provider)} login; --method ${method} would replace it`, {
      profile: name,
      hint: `pass --profile NAME to keep the machine identity in a profile of its own, e.g. --profile ${method}`,
    });
  }
  const provider = await proverOf(method, existing, cliProviders(config, cli.env));
  const table = profileTable(cli, method, provider, flags, existing);
  // Core's own checks of the would-be profile, before config.toml is touched.
  resolveProfile({ ...config, profiles: { ...config.profiles, [name]: table } }, name, provider);
  if (existing === undefined || JSON.stringify(existing) !== JSON.stringify(table)) {
    await updateConfig(config.file, (doc) => {
      const profiles = (doc.profiles ??= {}) as Table;
      profiles[name] = table;
      doc.default_profile ??= name;
    });
  }

  // A secret typed for this login is kept, so print-token can log in again after the max TTL.
  const typed = flags.clientSecretStdin ? await readStdinSecret(cli, 'Client secret') : flags.clientSecret;
  const store = cliStore(cli, config);
  // A stored secret belongs to one client at one login API: it never follows the profile elsewhere.
  if (existing !== undefined && (existing.domain !== table.domain || existing.client_id !== table.client_id)) {
    await store.delete(clientSecretKey(name));
  }
  const session = await openSession(cli, { secrets: { clientSecret: typed, jwt: flags.jwt } });
  const credential = await login(session);
  if (typed !== undefined) await store.set(clientSecretKey(name), { kind: 'secret', value: typed });

  const until = new Date(credential.tokens.expires_at * 1000).toISOString();
  cli.out.info(`Logged in to profile "${name}" as ${credential.identity} (${method} at ${session.profile.settings.domain}); token valid until ${until}`);
  // kms parity: `TOKEN=$(authctl login --method universal-auth ... --plain --silent)`.
  if (cli.globals.plain && !cli.globals.json) cli.out.data(credential.tokens.access_token);
}

/** The profile after this login: the existing one (its method settings only while the method stays), then what was given. */
function profileTable(cli: Cli, method: string, provider: Provider<unknown>, flags: MachineFlags, existing: Table | undefined): Table {
  const sameMethod = existing?.method === method;
  const table: Table = {};
  for (const [key, value] of Object.entries(existing ?? {})) {
    if (sameMethod || !METHOD_KEYS.includes(key)) table[key] = value;
  }
  table.provider = provider.id;
  table.method = method;
  for (const { key, flag, env } of SETTINGS) {
    const value = (flags[flag] as string | undefined) ?? env.map((variable) => cli.env[variable]).find((found) => found !== undefined && found !== '');
    if (value !== undefined) table[key] = value;
  }
  return table;
}

/**
 * The provider that proves `method`: the profile's own when it does, else
 * the first of the built-in and the installed providers whose `proof` lists
 * it. Core and the CLI name no provider; a provider package declares its
 * methods.
 */
async function proverOf(method: string, existing: Table | undefined, catalog: ProviderCatalog): Promise<Provider<unknown>> {
  const failures: string[] = [];
  const candidates: Array<() => Promise<Provider<unknown>>> = [];
  if (typeof existing?.provider === 'string') candidates.push(() => loadProvider(existing.provider as string, catalog));
  for (const provider of BUILT_IN_PROVIDERS) candidates.push(async () => provider);
  for (const { id } of catalog.discovery().packages) candidates.push(() => loadProvider(id, catalog));
  const methods = new Set<string>();
  for (const load of candidates) {
    let provider: Provider<unknown>;
    try {
      provider = await load();
    } catch (error) {
      failures.push(AuthError.is(error) ? error.message : String(error));
      continue;
    }
    if (provider.proof?.methods.includes(method)) return provider;
    for (const known of provider.proof?.methods ?? []) methods.add(known);
  }
  const skipped = failures.length === 0 ? '' : `; providers that failed to load: ${failures.join('; ')}`;
  throw new AuthError('USAGE', `no installed provider proves --method ${method}${skipped}`, {
    hint: `use user or one of ${[...methods].sort().join(', ')}, or install the provider package that proves ${method}`,
  });
}
