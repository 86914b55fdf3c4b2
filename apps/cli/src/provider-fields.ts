import { AuthError, type CommonProfileSettings } from '@auth/core';

export type FieldKind = 'string' | 'number' | 'boolean' | 'list' | 'table';

/** One profile key a provider declares in its zod options schema. */
export interface ProviderField {
  key: string;
  kind: FieldKind;
  required: boolean;
  description?: string;
  defaultValue?: unknown;
}

/** The common keys core validates for every provider; `satisfies` keeps this in step with core's type. */
const COMMON_KINDS = {
  provider: 'string',
  client_id: 'string',
  flow: 'string',
  scopes: 'list',
  parameters: 'table',
  timeout: 'number',
  allow_http: 'boolean',
  ca_file: 'string',
  redirect_port: 'number',
  code_redirect_uri: 'string',
  username: 'string',
  service_account: 'table',
  method: 'string',
  domain: 'string',
  identity_id: 'string',
  organization_slug: 'string',
  service_account_token_path: 'string',
  service_account_key_file_path: 'string',
  jwt_file: 'string',
} as const satisfies Record<keyof CommonProfileSettings, FieldKind>;

export function isCommonKey(key: string): key is keyof CommonProfileSettings {
  return Object.hasOwn(COMMON_KINDS, key);
}

/** The zod 4 definition fields read here; read structurally so a plugin's own copy of zod works too. */
interface SchemaLike {
  description?: string;
  shape?: Record<string, SchemaLike>;
  def?: { type?: string; innerType?: SchemaLike; in?: SchemaLike; defaultValue?: unknown };
}

/**
 * The provider's own keys, in declaration order, from its options schema
 * (`z.object({...})`, possibly refined or piped). A common key the provider
 * declares as well is its own too (Auth0's `domain`, its tenant, is a
 * machine profile's login API elsewhere). A schema that is not an object
 * declares no keys.
 */
export function providerFields(schema: unknown): ProviderField[] {
  const object = unwrapToObject(schema as SchemaLike);
  if (!object?.shape) return [];
  return Object.entries(object.shape).map(([key, field]) => describeField(key, field));
}

function unwrapToObject(schema: SchemaLike | undefined): SchemaLike | undefined {
  let current = schema;
  for (let depth = 0; current && depth < 10; depth += 1) {
    if (current.def?.type === 'object') return current;
    current = current.def?.in ?? current.def?.innerType;
  }
  return undefined;
}

function describeField(key: string, schema: SchemaLike): ProviderField {
  let required = true;
  let defaultValue: unknown;
  let description = schema.description;
  let current: SchemaLike | undefined = schema;
  for (let depth = 0; current && depth < 10; depth += 1) {
    const type = current.def?.type;
    if (type === 'optional' || type === 'nullable') required = false;
    if (type === 'default' || type === 'prefault') {
      required = false;
      defaultValue = current.def?.defaultValue;
    }
    description ??= current.description;
    const inner: SchemaLike | undefined = current.def?.innerType ?? current.def?.in;
    if (!inner) break;
    current = inner;
  }
  return { key, kind: kindOf(current?.def?.type), required, description, defaultValue };
}

function kindOf(type: string | undefined): FieldKind {
  switch (type) {
    case 'number':
    case 'int':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return 'list';
    case 'object':
    case 'record':
      return 'table';
    default:
      return 'string';
  }
}

/** The kind of a profile key: a common key, one of the provider's, else text (core rejects unknown keys). */
export function fieldKind(key: string, fields: ProviderField[]): FieldKind {
  if (isCommonKey(key)) return COMMON_KINDS[key];
  return fields.find((field) => field.key === key)?.kind ?? 'string';
}

/** Turns text from a flag or an answer into the TOML value the key takes. */
export function parseFieldValue(kind: FieldKind, raw: string, where: string): unknown {
  const text = raw.trim();
  switch (kind) {
    case 'number': {
      const value = Number(text);
      if (text === '' || !Number.isFinite(value)) throw invalid(where, raw, 'a number');
      return value;
    }
    case 'boolean':
      if (/^(true|yes|y|1)$/i.test(text)) return true;
      if (/^(false|no|n|0)$/i.test(text)) return false;
      throw invalid(where, raw, 'true or false');
    case 'list':
      return text
        .split(/[\s,]+/)
        .map((item) => item.trim())
        .filter((item) => item !== '');
    case 'table':
      throw new AuthError('USAGE', `${where} is a table; set its keys one by one (${where}.KEY=VALUE)`, {
        hint: `e.g. --set ${where}.KEY=VALUE`,
      });
    default:
      return text;
  }
}

function invalid(where: string, raw: string, expected: string): AuthError {
  return new AuthError('USAGE', `${where} must be ${expected}, got "${raw}"`, { hint: `pass ${expected} for ${where}` });
}
