import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AuthError, withFileLock } from '@auth/core';
import { z } from 'zod';
import { ensurePrivateDir, readPrivateFile, writePrivateFile } from '../fs/private-files.js';
import { hashSecret, isScryptHash } from '../secrets/scrypt-hash.js';
import { WriteBehindFile, type WriteLog } from './write-behind-file.js';

/**
 * Universal-auth client secrets. A secret is shown once, when it is made;
 * the data dir keeps its scrypt hash and the first `PREFIX_LENGTH`
 * characters, so that a login looks up the few secrets with its prefix and
 * checks one hash, not every hash of the identity.
 *
 * Two files, each with one writer: `identity-secrets.json`, written by
 * `auth-server identities …` (and `--dev`), which the server re-reads when
 * it changes, so a new or revoked secret applies without a restart; and
 * `identity-secret-uses.json`, the use counts, written by the server alone.
 */

export const PREFIX_LENGTH = 8;
export const SECRETS_FILE = 'identity-secrets.json';
export const USES_FILE = 'identity-secret-uses.json';

export const secretRecordSchema = z.object({
  id: z.string().min(1),
  identity: z.string().min(1),
  prefix: z.string(),
  hash: z.string().refine(isScryptHash),
  description: z.string().default(''),
  /** Epoch seconds. */
  created_at: z.number().int(),
  /** Seconds from created_at; absent: no expiry. */
  ttl: z.number().int().positive().optional(),
  /** Logins it may be used for; absent: no limit. */
  uses_limit: z.number().int().positive().optional(),
  /** Epoch seconds. */
  revoked_at: z.number().int().optional(),
});
export type ClientSecretRecord = z.output<typeof secretRecordSchema>;

const secretsFileSchema = z.object({ version: z.literal(1), secrets: z.array(secretRecordSchema) });
const usesFileSchema = z.object({ version: z.literal(1), uses: z.record(z.string(), z.number().int().nonnegative()) });

/** The store a universal-auth login consults (in-process now; Redis when instances share state). */
export interface ClientSecretStore {
  /** Secrets of `identity` whose prefix is the presented secret's, not revoked. */
  candidates(identity: string, presented: string): Promise<ClientSecretRecord[]>;
  /** Atomically: counts one use of `record` and returns true, or returns false when its limit is reached. */
  consumeUse(record: ClientSecretRecord): Promise<boolean>;
}

export const prefixOf = (secret: string) => secret.slice(0, PREFIX_LENGTH);

function corrupt(file: string, cause: unknown): AuthError {
  return new AuthError('STORE_CORRUPT', `${file} is not a valid auth-server identity secrets file`, {
    file,
    cause,
    hint: 'restore it from a backup, or delete it and make new secrets with `auth-server identities add-secret`',
  });
}

async function readJson<T>(file: string, schema: z.ZodType<T>): Promise<T | undefined> {
  const text = await readPrivateFile(file);
  if (text === undefined) return undefined;
  try {
    return schema.parse(JSON.parse(text));
  } catch (cause) {
    throw corrupt(file, cause);
  }
}

export async function readClientSecrets(dataDir: string): Promise<ClientSecretRecord[]> {
  return (await readJson(join(dataDir, SECRETS_FILE), secretsFileSchema))?.secrets ?? [];
}

async function writeClientSecrets(dataDir: string, secrets: ClientSecretRecord[]): Promise<void> {
  await writePrivateFile(join(dataDir, SECRETS_FILE), `${JSON.stringify({ version: 1, secrets }, null, 2)}\n`);
}

/** Waits this long at most for another `auth-server identities` command to finish its change. */
const LOCK_TIMEOUT_MS = 30_000;

/**
 * Reads the secrets, lets `change` make the new list, and writes it, holding
 * `identity-secrets.json.lock` (core's cross-process file lock: an atomic mkdir,
 * taken over once its holder died) so that two commands at once cannot drop
 * each other's change.
 */
async function changeClientSecrets(dataDir: string, change: (secrets: ClientSecretRecord[]) => ClientSecretRecord[]): Promise<void> {
  const file = join(dataDir, SECRETS_FILE);
  await ensurePrivateDir(dataDir);
  await withFileLock(file, `${file}.lock`, file, async () => writeClientSecrets(dataDir, change(await readClientSecrets(dataDir))), {
    timeoutMs: LOCK_TIMEOUT_MS,
  });
}

export interface NewClientSecret {
  description?: string;
  ttl?: number;
  usesLimit?: number;
  /** The secret itself (dev mode's `AUTH_SERVER_DEV_MACHINE_SECRET`); default: 32 random bytes as hex, like Infisical's. */
  secret?: string;
  /** Replace the identity's secret with this id (dev mode); default: a new random id. */
  id?: string;
  now?: number;
}

/** A new secret for `identity` and the record to store; the plain secret is returned once and stored nowhere. */
export async function makeClientSecret(identity: string, options: NewClientSecret = {}): Promise<{ record: ClientSecretRecord; secret: string }> {
  const secret = options.secret ?? randomBytes(32).toString('hex');
  const record = secretRecordSchema.parse({
    id: options.id ?? randomBytes(6).toString('hex'),
    identity,
    prefix: prefixOf(secret),
    hash: await hashSecret(secret),
    description: options.description ?? '',
    created_at: options.now ?? Math.floor(Date.now() / 1000),
    ttl: options.ttl,
    uses_limit: options.usesLimit,
  });
  return { record, secret };
}

/** Adds a secret for `identity` to the data dir. */
export async function addClientSecret(dataDir: string, identity: string, options: NewClientSecret = {}): Promise<{ record: ClientSecretRecord; secret: string }> {
  const { record, secret } = await makeClientSecret(identity, options);
  await changeClientSecrets(dataDir, (existing) => [...existing.filter((other) => other.id !== record.id), record]);
  return { record, secret };
}

export async function revokeClientSecret(dataDir: string, identity: string, id: string, now = Math.floor(Date.now() / 1000)): Promise<void> {
  await changeClientSecrets(dataDir, (secrets) => {
    const record = secrets.find((candidate) => candidate.id === id && candidate.identity === identity);
    if (!record) {
      throw new AuthError('USAGE', `identity "${identity}" has no client secret "${id}" in ${join(dataDir, SECRETS_FILE)}`, {
        file: join(dataDir, SECRETS_FILE),
        hint: `run \`auth-server identities list-secrets ${identity}\` to see its secret ids`,
      });
    }
    return secrets.map((candidate) => (candidate === record && record.revoked_at === undefined ? { ...candidate, revoked_at: now } : candidate));
  });
}

export async function readSecretUses(dataDir: string): Promise<Record<string, number>> {
  return (await readJson(join(dataDir, USES_FILE), usesFileSchema))?.uses ?? {};
}

/** The server's view: secrets re-read when their file changes, use counts in memory and written behind. */
export class FileClientSecretStore implements ClientSecretStore {
  #byPrefix = new Map<string, ClientSecretRecord[]>();
  #version = '';
  #reloading: Promise<void> | undefined;
  readonly #uses: Map<string, number>;
  readonly #usesFile: WriteBehindFile;

  private constructor(
    private readonly dataDir: string,
    uses: Record<string, number>,
    log?: WriteLog,
  ) {
    this.#uses = new Map(Object.entries(uses));
    this.#usesFile = new WriteBehindFile(join(dataDir, USES_FILE), () => `${JSON.stringify({ version: 1, uses: Object.fromEntries(this.#uses) })}\n`, log);
  }

  static async open(dataDir: string, log?: WriteLog): Promise<FileClientSecretStore> {
    const store = new FileClientSecretStore(dataDir, await readSecretUses(dataDir), log);
    await store.#reloadIfChanged();
    return store;
  }

  async candidates(identity: string, presented: string): Promise<ClientSecretRecord[]> {
    await this.#reloadIfChanged();
    return this.#byPrefix.get(`${identity}\0${prefixOf(presented)}`) ?? [];
  }

  async consumeUse(record: ClientSecretRecord): Promise<boolean> {
    // No await between the check and the count: in one process this is atomic.
    const used = this.#uses.get(record.id) ?? 0;
    if (record.uses_limit !== undefined && used >= record.uses_limit) return false;
    this.#uses.set(record.id, used + 1);
    this.#usesFile.changed();
    return true;
  }

  uses(secretId: string): number {
    return this.#uses.get(secretId) ?? 0;
  }

  async close(): Promise<void> {
    await this.#usesFile.flush();
    this.#usesFile.close();
  }

  /** One stat per login; concurrent logins share one re-read. */
  #reloadIfChanged(): Promise<void> {
    this.#reloading ??= this.#reload().finally(() => {
      this.#reloading = undefined;
    });
    return this.#reloading;
  }

  async #reload(): Promise<void> {
    const file = join(this.dataDir, SECRETS_FILE);
    let version: string;
    try {
      const info = await stat(file);
      version = `${info.mtimeMs}:${info.size}:${info.ino}`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      version = 'absent';
    }
    if (version === this.#version) return;
    const byPrefix = new Map<string, ClientSecretRecord[]>();
    for (const record of await readClientSecrets(this.dataDir)) {
      if (record.revoked_at !== undefined) continue;
      const key = `${record.identity}\0${record.prefix}`;
      byPrefix.set(key, [...(byPrefix.get(key) ?? []), record]);
    }
    this.#byPrefix = byPrefix;
    this.#version = version;
  }
}
