import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { AuthError } from '@auth/core';
import { parse as parseToml, TomlError } from 'smol-toml';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { rolesOf, serverConfigSchema, type ServerConfig } from './schema.js';

const PLAIN_SECRET_KEYS = new Map([
  ['password', 'password_hash'],
  ['client_secret', 'secret_hash'],
  ['secret', 'secret_hash'],
]);

/** Reads and validates `auth-server --config FILE` (.toml, .yaml or .yml). */
export async function loadServerConfig(file: string): Promise<ServerConfig> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new AuthError('CONFIG_INVALID', `cannot read config file ${path}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`, {
      file: path,
      cause,
      hint: 'pass an existing TOML or YAML file to --config',
    });
  }
  return parseServerConfig(parseConfigText(text, path), path);
}

function parseConfigText(text: string, file: string): unknown {
  const ext = extname(file).toLowerCase();
  try {
    if (ext === '.toml') return parseToml(text);
    if (ext === '.yaml' || ext === '.yml') return parseYaml(text) ?? {};
  } catch (cause) {
    const where =
      cause instanceof TomlError ? `line ${cause.line}, column ${cause.column}` :
      cause instanceof YAMLParseError && cause.linePos ? `line ${cause.linePos[0].line}, column ${cause.linePos[0].col}` :
      'unknown position';
    throw new AuthError('CONFIG_INVALID', `${file}: not valid ${ext === '.toml' ? 'TOML' : 'YAML'} (${where})`, {
      file,
      cause,
      hint: 'fix the syntax at that position',
    });
  }
  throw new AuthError('CONFIG_INVALID', `${file}: unknown config format "${ext}"`, {
    file,
    hint: 'name the file *.toml, *.yaml or *.yml',
  });
}

/**
 * Validates an already-parsed config object. `file` names the source in
 * errors and anchors a relative `data_dir` and `gateway.upstream_ca_file`.
 */
export function parseServerConfig(raw: unknown, file: string): ServerConfig {
  const result = serverConfigSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.flatMap(describeIssue);
    throw new AuthError('CONFIG_INVALID', `${file}: invalid config\n${problems.map((p) => `  ${p}`).join('\n')}`, {
      file,
      key: firstKey(result.error.issues[0]),
      hint: 'fix the keys named above; see the config reference in the auth-server README',
    });
  }
  const { data_dir, gateway } = result.data;
  const here = (path: string) => resolve(dirname(file), path);
  return {
    ...result.data,
    roles: rolesOf(result.data),
    ...(data_dir !== undefined ? { data_dir: here(data_dir) } : {}),
    ...(gateway?.upstream_ca_file !== undefined ? { gateway: { ...gateway, upstream_ca_file: here(gateway.upstream_ca_file) } } : {}),
  };
}

function keyPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, part) => (typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part)), '');
}

function firstKey(issue: z.core.$ZodIssue | undefined): string | undefined {
  if (!issue) return undefined;
  if (issue.code === 'unrecognized_keys') return keyPath([...issue.path, issue.keys[0] ?? '']);
  return keyPath(issue.path) || undefined;
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
  const at = keyPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const full = at ? `${at}.${key}` : key;
      const hashed = PLAIN_SECRET_KEYS.get(key);
      return hashed
        ? `${full}: plain-text secrets are not accepted; set ${hashed} (make one with \`auth-server hash-password\`)`
        : `${full}: unknown key`;
    });
  }
  const message =
    issue.code === 'invalid_type' && /received undefined$/.test(issue.message) ? 'is required' : issue.message;
  return [`${at || '(top level)'}: ${message}`];
}
