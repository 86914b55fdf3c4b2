import { homedir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'ini';
import type { ImportedProfile, ImportSource, ProfileImporter, ProviderEnv, SkippedKey } from '@auth/core/provider';

/** `authctl profile import --from kxi`: the kdb Insights CLI's profiles become Keycloak profiles. */
export const kxiImporter: ProfileImporter = {
  specificationVersion: 'v1',
  id: 'kxi',
  summary: 'kdb Insights CLI (~/.insights/cli-config)',
  defaultFile: defaultKxiConfigFile,
  read: (text) => readKxiConfig(text),
  emptyHint: 'run `kxi configure` first, or name the file to read',
};

/** Where `kxi configure` writes its profiles (kxicli `config.py`: `Path.home()`, which reads HOME first). */
export function defaultKxiConfigFile(env: ProviderEnv = {}): string {
  return join(env.HOME || homedir(), '.insights', 'cli-config');
}

/**
 * kdb Insights Enterprise serves Keycloak under `/auth`: its docs send admins
 * to `https://${INSIGHTS_HOSTNAME}/auth/admin/...`, and kxi asks for admin
 * tokens at `https://{hostname}/auth/realms/master/...`.
 */
const INSIGHTS_BASE_PATH = '/auth';

type Section = Record<string, string>;

/**
 * Reads kxi's `cli-config` (an INI file written by Python's configparser, one
 * section per profile; `[DEFAULT]` keys apply to every section) into
 * `keycloak` profiles. Keys, per the kxi docs: `hostname`, `realm`,
 * `auth.client` (the user login client), `auth.serviceaccount.id` and
 * `.secret` (or the deprecated `client.id` and `client.secret`),
 * `admin.username` and `admin.password`. The service-account secret is handed
 * back for the credential store; the admin password is never kept.
 */
export function readKxiConfig(text: string): ImportSource {
  const sections = iniSections(decode(text));
  const defaults = sections.get('DEFAULT') ?? {};
  const result: ImportSource = { profiles: [], unusable: [] };
  for (const [name, own] of sections) {
    if (name === 'DEFAULT') continue;
    const section = { ...defaults, ...own };
    if (!section.hostname) {
      result.unusable.push({ source: name, reason: 'it has no hostname' });
      continue;
    }
    result.profiles.push(kxiProfile(name, section));
  }
  return result;
}

function kxiProfile(name: string, section: Section): ImportedProfile {
  const { hostname, realm, 'auth.client': client } = section;
  const table: Record<string, unknown> = {
    provider: 'keycloak',
    url: withScheme(hostname!),
    base_path: INSIGHTS_BASE_PATH,
    ...(realm ? { realm } : {}),
    ...(client ? { client_id: client } : {}),
  };
  const skipped: SkippedKey[] = [];
  const used = new Set(['hostname', 'realm', 'auth.client']);

  // The current keys win; the deprecated pair is only read when they are absent.
  const current = section['auth.serviceaccount.id'] !== undefined || section['auth.serviceaccount.secret'] !== undefined;
  const [idKey, secretKey] = current ? ['auth.serviceaccount.id', 'auth.serviceaccount.secret'] : ['client.id', 'client.secret'];
  const serviceAccountId = section[idKey];
  const secret = section[secretKey];
  used.add(idKey).add(secretKey);
  if (serviceAccountId) table.service_account = { client_id: serviceAccountId };
  else if (secret) skipped.push({ key: secretKey, reason: `there is no ${idKey} for it to belong to` });
  if (current) {
    for (const key of ['client.id', 'client.secret'].filter((key) => section[key] !== undefined)) {
      used.add(key);
      skipped.push({ key, reason: 'deprecated, and auth.serviceaccount.* is set' });
    }
  }

  if (section['admin.username']) table.admin = { username: section['admin.username'] };
  used.add('admin.username');
  for (const key of Object.keys(section)) {
    if (!used.has(key)) skipped.push({ key, reason: skipReason(key) });
  }
  return { source: name, table, ...(serviceAccountId && secret ? { clientSecret: secret } : {}), skipped };
}

function skipReason(key: string): string {
  if (key === 'admin.password') return 'passwords are never stored; admin commands ask for it, or read AUTHCTL_ADMIN_PASSWORD';
  if (key === 'cache.file' || key === 'auth.cache_file') return 'authctl keeps tokens in its own credential store (store.path in config.toml)';
  return 'not a login setting';
}

/** kxi accepts a bare host name and talks https to it. */
function withScheme(hostname: string): string {
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(hostname) ? hostname : `https://${hostname}`;
  return url.replace(/\/+$/, '');
}

/**
 * The `ini` package nests a section named `a.b` as `{ a: { b: ... } }`; a
 * configparser section name is flat, so nesting is folded back into the name.
 * Values become strings, as configparser keeps them.
 */
function iniSections(parsed: Record<string, unknown>, prefix = ''): Map<string, Section> {
  const sections = new Map<string, Section>();
  for (const [name, value] of Object.entries(parsed)) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
    const section: Section = {};
    let hasNested = false;
    for (const [key, item] of Object.entries(value)) {
      if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
        hasNested = true;
        for (const [nested, values] of iniSections({ [key]: item }, `${prefix}${name}.`)) sections.set(nested, values);
      } else {
        section[key] = String(item);
      }
    }
    // `[team.dev]` alone yields a `team` object that was never a section of its own.
    if (!hasNested || Object.keys(section).length > 0) sections.set(`${prefix}${name}`, section);
  }
  return sections;
}
