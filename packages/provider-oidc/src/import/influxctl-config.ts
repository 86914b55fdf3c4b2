import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { AuthError, type ImportedProfile, type ImportSource, type ProfileImporter, type ProviderEnv, type SkippedKey } from '@auth/core/provider';
import { parse, TomlError } from 'smol-toml';

/** `authctl profile import --from influxctl`: InfluxDB Clustered's CLI profiles become profiles of the provider `providerId`. */
export function influxctlImporter(providerId: string): ProfileImporter {
  return {
    specificationVersion: 'v1',
    id: 'influxctl',
    summary: 'InfluxDB influxctl (config.toml in the user config folder, e.g. ~/.config/influxctl)',
    defaultFile: defaultInfluxctlConfigFile,
    read: (text, file) => readInfluxctlConfig(text, file, providerId),
    emptyHint: 'add a [[profile]] with [profile.auth.oauth2], or name the file to read',
  };
}

/**
 * influxctl's config file: `config.toml` in Go's user config folder
 * (`$XDG_CONFIG_HOME` or `~/.config` on Linux, `~/Library/Application Support`
 * on macOS, `%APPDATA%` on Windows), as the influxctl docs list it.
 */
export function defaultInfluxctlConfigFile(env: ProviderEnv = {}): string {
  return join(userConfigDir(env), 'influxctl', 'config.toml');
}

function userConfigDir(env: ProviderEnv): string {
  const home = env.HOME || homedir();
  if (process.platform === 'win32' && env.APPDATA) return env.APPDATA;
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support');
  const xdg = env.XDG_CONFIG_HOME;
  return xdg && isAbsolute(xdg) ? xdg : join(home, '.config');
}

/** `[profile.auth.oauth2]` keys, which keep their names in the profile. */
const OAUTH2_KEYS = ['client_id', 'token_url', 'device_url', 'scopes', 'parameters'] as const;

/** The keys of a `[[profile]]` that describe the InfluxDB cluster, not the login. */
const CLUSTER_KEYS = new Set(['product', 'host', 'port', 'account_id', 'cluster_id']);

/**
 * Reads influxctl's TOML (`[[profile]]` tables with `name` and
 * `[profile.auth.oauth2]`: `client_id`, `client_secret`, `scopes`,
 * `parameters`, `token_url`, `device_url`) into profiles with explicit
 * endpoints and the device flow, the only flow influxctl uses. The client
 * secret is handed back for the credential store.
 */
export function readInfluxctlConfig(text: string, file: string, providerId: string): ImportSource {
  const doc = parseInfluxctlToml(text, file);
  const result: ImportSource = { profiles: [], unusable: [] };
  const profiles = Array.isArray(doc.profile) ? doc.profile : [];
  for (const [index, profile] of profiles.entries()) {
    if (!isTable(profile)) continue;
    const name = typeof profile.name === 'string' && profile.name !== '' ? profile.name : undefined;
    if (name === undefined) {
      result.unusable.push({ source: `[[profile]] #${index + 1}`, reason: 'it has no name' });
      continue;
    }
    const auth = isTable(profile.auth) ? profile.auth : {};
    const oauth2 = isTable(auth.oauth2) ? auth.oauth2 : undefined;
    if (oauth2?.token_url === undefined) {
      const reason = isTable(auth.token)
        ? 'it logs in with an admin token file ([profile.auth.token]), not OAuth2'
        : 'it has no [profile.auth.oauth2] token_url';
      result.unusable.push({ source: name, reason });
      continue;
    }
    result.profiles.push(influxctlProfile(name, profile, oauth2, providerId));
  }
  return result;
}

function influxctlProfile(name: string, profile: Record<string, unknown>, oauth2: Record<string, unknown>, providerId: string): ImportedProfile {
  const table: Record<string, unknown> = { provider: providerId };
  for (const key of OAUTH2_KEYS) if (oauth2[key] !== undefined) table[key] = oauth2[key];
  table.flow = 'device';

  const skipped: SkippedKey[] = [];
  for (const key of Object.keys(oauth2)) {
    if (key !== 'client_secret' && !(OAUTH2_KEYS as readonly string[]).includes(key)) {
      skipped.push({ key: `auth.oauth2.${key}`, reason: 'not an influxctl OAuth2 setting authctl knows' });
    }
  }
  for (const key of Object.keys(isTable(profile.auth) ? profile.auth : {})) {
    if (key !== 'oauth2') skipped.push({ key: `auth.${key}`, reason: 'authctl imports the OAuth2 login only' });
  }
  for (const key of Object.keys(profile)) {
    if (key === 'name' || key === 'auth') continue;
    const reason = CLUSTER_KEYS.has(key)
      ? 'it describes the InfluxDB cluster, not the login'
      : key === 'tls'
        ? 'it applies to the InfluxDB cluster; set ca_file in the profile if the identity provider uses a private CA'
        : 'not a login setting';
    skipped.push({ key, reason });
  }
  const secret = typeof oauth2.client_secret === 'string' && oauth2.client_secret !== '' ? oauth2.client_secret : undefined;
  if (secret === undefined && oauth2.client_secret !== undefined) skipped.push({ key: 'auth.oauth2.client_secret', reason: 'not a non-empty string' });
  return { source: name, table, ...(secret === undefined ? {} : { clientSecret: secret }), skipped };
}

function isTable(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
}

/** influxctl's file is TOML; a syntax error names the file and line:column (the plugin surface carries no TOML parser). */
function parseInfluxctlToml(text: string, file: string): Record<string, unknown> {
  try {
    return parse(text);
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    const reason = error.message.split('\n', 1)[0]!.replace(/^Invalid TOML document: /, '');
    throw new AuthError('CONFIG_INVALID', `${file}:${error.line}:${error.column}: invalid TOML: ${reason}`, {
      file,
      hint: `fix the syntax at line ${error.line}, column ${error.column} of ${file}, or import another influxctl config with --file`,
      cause: error,
    });
  }
}
