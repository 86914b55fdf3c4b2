import { z } from 'zod';
import { AuthError } from '../errors.js';
import type { Provider, ProviderEnv } from '../contracts/v1/provider.js';
import { caFilePath, readCaFile } from '../http/ca-file.js';
import { checkEndpointUrl } from './check-url.js';
import { configError, describeValue, isTable } from './config-error.js';
import { requireProfile } from './select-profile.js';
import type { AuthctlConfig, CommonProfileSettings, LoginFlowId, ResolvedProfile } from './types.js';

export { selectProfileName } from './select-profile.js';

const LOGIN_FLOWS = ['browser', 'code', 'device', 'client-credentials', 'password'] as const satisfies readonly LoginFlowId[];

/**
 * Per-request timeout bounds, seconds. Below a second nothing answers in
 * time; above an hour a hung IdP blocks a script for longer than anyone
 * waits (and past 2^31 - 1 ms Node fires a timer at once).
 */
export const MIN_TIMEOUT_SECONDS = 1;
export const MAX_TIMEOUT_SECONDS = 3600;
const TIMEOUT_RANGE = `must be a number of seconds from ${MIN_TIMEOUT_SECONDS} to ${MAX_TIMEOUT_SECONDS}`;

const METHOD_RULE = 'must be a machine-identity login method: lower-case letters, digits and dashes (universal-auth, …)';
const name = z.string({ error: 'must be a non-empty string' }).min(1, { error: 'must be a non-empty string' });
const table = (example: string) => ({ error: `must be a table (${example})` });

const CommonProfileSchema = z.object({
  provider: name,
  client_id: name.optional(),
  flow: z.enum(LOGIN_FLOWS, { error: `must be one of ${LOGIN_FLOWS.join(', ')}` }).optional(),
  scopes: z.array(name, { error: 'must be an array of strings (scopes = ["openid"])' }).optional(),
  parameters: z
    .record(z.string(), z.string({ error: 'must be a string' }), table('parameters = { audience = "..." }'))
    .optional(),
  timeout: z
    .number({ error: TIMEOUT_RANGE })
    .min(MIN_TIMEOUT_SECONDS, { error: TIMEOUT_RANGE })
    .max(MAX_TIMEOUT_SECONDS, { error: TIMEOUT_RANGE })
    .optional(),
  allow_http: z.boolean({ error: 'must be true or false' }).optional(),
  ca_file: z.string({ error: 'must be the path of a PEM file' }).min(1, { error: 'must be the path of a PEM file' }).optional(),
  redirect_port: z
    .number({ error: 'must be a port number (0-65535)' })
    .int({ error: 'must be a port number (0-65535)' })
    .min(0, { error: 'must be a port number (0-65535)' })
    .max(65535, { error: 'must be a port number (0-65535)' })
    .optional(),
  code_redirect_uri: name.optional(),
  username: name.optional(),
  service_account: z.strictObject({ client_id: name }, table('[profiles.NAME.service_account]')).optional(),
  method: z
    .string({ error: METHOD_RULE })
    .regex(/^[a-z0-9][a-z0-9-]*$/, { error: METHOD_RULE })
    .optional(),
  domain: name.optional(),
  identity_id: name.optional(),
  organization_slug: name.optional(),
  service_account_token_path: name.optional(),
  service_account_key_file_path: name.optional(),
  jwt_file: name.optional(),
}) satisfies z.ZodType<CommonProfileSettings>;

const COMMON_KEYS = Object.keys(CommonProfileSchema.shape);

/** Values under keys like these are never echoed back in an error. */
const SECRET_KEY = /secret|password|token|credential/i;

/** The provider a profile names, without validating the rest of it. */
export function profileProviderId(config: AuthctlConfig, name: string): string {
  const provider = requireProfile(config, name).provider;
  if (typeof provider !== 'string' || provider === '') {
    throw configError(
      config.file,
      `profiles.${name}.provider`,
      provider === undefined ? 'is required' : `must be a provider id (got ${describeValue(provider)})`,
      { profile: name, hint: `add provider = "ID" with the id of an installed provider to [profiles.${name}] in ${config.file}` },
    );
  }
  return provider;
}

/**
 * Validates one profile: the common keys here, the rest with the provider's
 * own schema. A key neither knows is an error (a typo must not be ignored
 * silently). `overrides` are flag and env values, already picked by the
 * caller; they win over the file. Every http(s) URL among the settings is
 * held to the loopback rule of `checkEndpointUrl`. A key the profile leaves
 * out comes from the variable the provider's `environment` names, if `env` sets it.
 */
export function resolveProfile(
  config: AuthctlConfig,
  name: string,
  provider: Provider<any>,
  overrides: Partial<CommonProfileSettings> = {},
  env: ProviderEnv = process.env,
): ResolvedProfile {
  const fromOverride = new Set(Object.keys(overrides).filter((key) => overrides[key as keyof CommonProfileSettings] !== undefined));
  const input: Record<string, unknown> = { ...requireProfile(config, name) };
  for (const key of fromOverride) input[key] = overrides[key as keyof CommonProfileSettings];
  const fromVariable = new Map<string, string>();
  for (const [key, variable] of Object.entries(provider.environment ?? {})) {
    if (input[key] !== undefined || !env[variable]) continue;
    input[key] = env[variable];
    fromVariable.set(key, variable);
  }

  // Common keys are validated here; the provider sees the rest, plus any common key its schema declares.
  const ownKeys = providerKeys(provider);
  const commonInput: Record<string, unknown> = {};
  const providerInput: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    const common = COMMON_KEYS.includes(key);
    if (common) commonInput[key] = value;
    if (!common || ownKeys.includes(key)) providerInput[key] = value;
  }

  const report = (path: PropertyKey[], problem: string, hint?: string): AuthError => {
    const key = path.map(String).join('.');
    const top = String(path[0]);
    const variable = fromVariable.get(top);
    if (variable !== undefined) {
      return new AuthError('CONFIG_INVALID', `${key} (from ${variable}) ${problem}`, {
        profile: name,
        key,
        hint: `fix ${variable}, or set ${top} in [profiles.${name}]`,
      });
    }
    if (fromOverride.has(top)) {
      return new AuthError('CONFIG_INVALID', `${key} (set by a flag or AUTHCTL_* variable) ${problem}`, {
        profile: name,
        key,
        hint: `fix the value given for ${key} on the command line or in the environment`,
      });
    }
    return configError(config.file, `profiles.${name}${key === '' ? '' : `.${key}`}`, problem, {
      profile: name,
      ...(hint === undefined ? {} : { hint }),
    });
  };
  const fail = (issues: z.core.$ZodIssue[], data: Record<string, unknown>): never => {
    const issue = issues[0]!;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
    if (issue.code === 'unrecognized_keys') throw unknownKey([...issue.path, issue.keys[0]!], more);
    const value = valueAt(data, issue.path);
    const shown = value !== undefined && !isTable(value) && !issue.path.some((p) => SECRET_KEY.test(String(p)));
    const got = shown ? ` (got ${describeValue(value)})` : '';
    throw report(issue.path, `${issue.message}${got}${more}`);
  };
  const unknownKey = (path: PropertyKey[], more = ''): AuthError => {
    const known = [...new Set([...COMMON_KEYS, ...ownKeys])].sort();
    return report(
      path,
      `is not a known key for provider "${provider.id}"${more}`,
      `remove it or fix its spelling in ${config.file}; known keys: ${known.join(', ')}`,
    );
  };

  const common = CommonProfileSchema.safeParse(commonInput, { error: describeIssue });
  if (!common.success) fail(common.error.issues, commonInput);
  const own = provider.options.safeParse(providerInput, { error: describeIssue });
  if (!own.success) fail(own.error.issues, providerInput);

  // A provider schema strips keys it does not know; whatever it dropped was unknown.
  const ownSettings = isTable(own.data) ? own.data : {};
  const dropped = Object.keys(providerInput).find((key) => !COMMON_KEYS.includes(key) && !Object.hasOwn(ownSettings, key));
  if (dropped !== undefined) throw unknownKey([dropped]);

  const settings = { ...ownSettings, ...common.data! } as ResolvedProfile['settings'];
  for (const [path, url] of httpUrls(settings)) {
    checkEndpointUrl(url, { profile: name, key: path.join('.'), file: config.file, allowHttp: settings.allow_http === true });
  }
  if (settings.ca_file !== undefined) {
    settings.ca_file = caFilePath(settings.ca_file, config.file);
    readCaFile(settings.ca_file, { file: config.file, profile: name });
  }
  return { name, settings, file: config.file };
}

/** Wording for zod issues a schema did not word itself, in the "must ..." voice of config errors. */
function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${TYPE_NAMES[issue.expected] ?? `a ${issue.expected}`}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return 'must not be empty';
      return `must be ${issue.inclusive ? 'at least' : 'more than'} ${issue.minimum}${issue.origin === 'array' ? ' entries' : ''}`;
    case 'too_big':
      return `must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}${issue.origin === 'array' ? ' entries' : ''}`;
    case 'invalid_format':
      return `must be a valid ${issue.format}`;
    default:
      return undefined;
  }
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'an array',
  object: 'a table',
  record: 'a table',
};

function providerKeys(provider: Provider<any>): string[] {
  const shape = (provider.options as { shape?: unknown }).shape;
  return isTable(shape) ? Object.keys(shape) : [];
}

function valueAt(data: unknown, path: PropertyKey[]): unknown {
  let value = data;
  for (const step of path) value = isTable(value) || Array.isArray(value) ? (value as Record<PropertyKey, unknown>)[step] : undefined;
  return value;
}

/** Every string setting that is an http(s) URL, with its key path. */
function httpUrls(value: unknown, path: string[] = []): Array<[string[], string]> {
  if (typeof value === 'string') return /^https?:/i.test(value) ? [[path, value]] : [];
  if (!isTable(value)) return [];
  return Object.entries(value).flatMap(([key, child]) => httpUrls(child, [...path, key]));
}
