/**
 * How a credential lives in the OS keyring: one item per store key, under one
 * service per credential folder. A value too big for a keyring item is
 * sealed: AES-256-GCM with a fresh random key, the ciphertext in a 0600 file
 * under `<store.path>/sealed/`, the key (and the file's id) in the item. The
 * item alone, or the file alone, reveals nothing.
 *
 * Zod-free: `print-token` reads keyring credentials through `readKeyringItem`.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AuthError } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';
import { keyringCall, PROBE_ACCOUNT } from './keyring-agent.js';
import { profileOfKey } from './credential-file.js';

/**
 * Values longer than this (in characters) are sealed. Windows Credential
 * Manager caps an item at 2,560 bytes of UTF-16; the Secret Service and the
 * macOS Keychain have no documented cap, but big items make every search of
 * the keyring slow. 4 KiB holds a typical token set (JWT access, ID and
 * refresh tokens) inline.
 */
export const INLINE_LIMIT = process.platform === 'win32' ? 1200 : 4096;

const SEALED_SUFFIX = '.sealed';

/** Where one credential folder's items live in the keyring. */
export interface KeyringPlace {
  /** The keyring service name: `authctl` for the default folder, else `authctl:<store.path>`. */
  service: string;
  /** The folder of sealed values. */
  sealedDir: string;
}

/**
 * Two AUTHCTL_HOMEs must not share credentials, in the keyring as in files:
 * the service carries the folder, except for the default one.
 */
export function keyringPlace(storePath: string): KeyringPlace {
  const isDefault = storePath === join(homedir(), '.config', 'authctl', 'state');
  return { service: isDefault ? 'authctl' : `authctl:${storePath}`, sealedDir: join(storePath, 'sealed') };
}

interface SealedRef {
  sealed: 1;
  /** The sealed file's id: a new value gets a new file, so the item never points at a half-written one. */
  id: string;
  /** base64 AES-256 key. */
  key: string;
}

/** The stored JSON of `key`, parsed; undefined when there is no item. */
export async function readKeyringItem(place: KeyringPlace, key: string): Promise<unknown> {
  const text = await keyringCall({ op: 'get', service: place.service, account: key });
  if (text === null) return undefined;
  const value = parseItem(text, place, key);
  return isSealedRef(value) ? parseItem(await unseal(place, key, value), place, key) : value;
}

/** Stores `json` (a credential's JSON text) under `key`, sealed when it is too big for an item. */
export async function writeKeyringItem(place: KeyringPlace, key: string, json: string): Promise<void> {
  if (json.length <= INLINE_LIMIT) {
    await keyringCall({ op: 'set', service: place.service, account: key, value: json });
    await removeSealedFiles(place, key);
    return;
  }
  const ref: SealedRef = { sealed: 1, id: randomBytes(8).toString('hex'), key: randomBytes(32).toString('base64') };
  // The new file first, then the item that points at it, then the old files: a crash leaves the old value readable.
  await mkdir(place.sealedDir, { recursive: true, mode: 0o700 });
  await chmod(place.sealedDir, 0o700);
  await writeFileAtomic(sealedFile(place, key, ref.id), seal(json, key, ref));
  await keyringCall({ op: 'set', service: place.service, account: key, value: JSON.stringify(ref) });
  await removeSealedFiles(place, key, ref.id);
}

/** True when an item was deleted. */
export async function deleteKeyringItem(place: KeyringPlace, key: string): Promise<boolean> {
  const deleted = await keyringCall({ op: 'delete', service: place.service, account: key });
  await removeSealedFiles(place, key);
  return deleted;
}

/** Every key with an item. */
export async function listKeyringItems(place: KeyringPlace): Promise<string[]> {
  const accounts = await keyringCall({ op: 'list', service: place.service });
  return accounts.filter((account) => account !== PROBE_ACCOUNT).sort();
}

/** STORE_CORRUPT for a keyring item; logging in again rewrites it. */
export function corruptKeyringItem(place: KeyringPlace, key: string, problem: string): AuthError {
  const profile = profileOfKey(key);
  return new AuthError('STORE_CORRUPT', `the OS keyring item "${key}" (service "${place.service}") ${problem}`, {
    profile,
    hint: `run \`authctl login --profile ${profile}\``,
  });
}

function parseItem(text: string, place: KeyringPlace, key: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // No cause kept: JSON.parse errors quote the text, which holds tokens.
    throw corruptKeyringItem(place, key, 'is not valid JSON');
  }
}

function isSealedRef(value: unknown): value is SealedRef {
  return typeof value === 'object' && value !== null && (value as { sealed?: unknown }).sealed === 1;
}

// Dots are encoded too, so `<name>.<id>.sealed` splits unambiguously.
function fileKey(key: string): string {
  return encodeURIComponent(key).replace(/\./g, '%2E');
}

function sealedFile(place: KeyringPlace, key: string, id: string): string {
  return join(place.sealedDir, `${fileKey(key)}.${id}${SEALED_SUFFIX}`);
}

/** base64 of iv (12 bytes) | tag (16) | ciphertext; the store key and file id are authenticated with it. */
function seal(json: string, key: string, ref: SealedRef): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(ref.key, 'base64'), iv).setAAD(Buffer.from(`${key}\n${ref.id}`));
  const data = Buffer.concat([cipher.update(json, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64');
}

async function unseal(place: KeyringPlace, key: string, ref: SealedRef): Promise<string> {
  const file = sealedFile(place, key, ref.id);
  let sealed: Buffer;
  try {
    sealed = Buffer.from(await readFile(file, 'utf8'), 'base64');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw corruptKeyringItem(place, key, `points at ${file}, which cannot be read (${code})`);
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', Buffer.from(ref.key, 'base64'), sealed.subarray(0, 12))
      .setAAD(Buffer.from(`${key}\n${ref.id}`))
      .setAuthTag(sealed.subarray(12, 28));
    return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    throw corruptKeyringItem(place, key, `points at ${file}, which does not decrypt with its key`);
  }
}

/** Removes the sealed files of `key`, but the one with id `keep`. */
async function removeSealedFiles(place: KeyringPlace, key: string, keep?: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(place.sealedDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const prefix = `${fileKey(key)}.`;
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(SEALED_SUFFIX)) continue;
    const id = name.slice(prefix.length, -SEALED_SUFFIX.length);
    if (id.includes('.') || id === keep) continue;
    await unlink(join(place.sealedDir, name)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
}
