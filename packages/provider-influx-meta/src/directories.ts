import { AuthError } from '@auth/core/provider';
import type { InfluxCredentials } from './credentials.js';
import { MetaClient } from './meta-client.js';
import { OssClient } from './oss-client.js';
import { DEFAULT_TIMEOUT_MS, type InfluxTls } from './transport.js';
import type { DirectoryUser, UserDirectory } from './user-directory.js';

interface DirectoryOptions {
  url: string;
  credentials: InfluxCredentials;
  tls?: InfluxTls;
  /** Replaces the TLS transport; `tls` is then not applied. */
  fetch?: typeof fetch;
  /** The whole lookup, retries included (default 10 s, Kapacitor's). */
  timeoutMs?: number;
  /** Epoch seconds, for JWT `exp`. */
  now?: () => number;
}

/**
 * An InfluxDB Enterprise meta node, as Kapacitor's `[auth] meta-*` settings
 * name it. Credentials: Basic (`meta-username`, `meta-password`), or
 * `{ sharedSecret }` for `meta-internal-shared-secret` (an HS512 JWT with the
 * empty username, as Kapacitor sends).
 */
export type MetaDirectoryOptions = DirectoryOptions;

/** An InfluxDB OSS 1.x server; the admin credentials read users and grants (SHOW USERS needs an admin). */
export type OssDirectoryOptions = DirectoryOptions;

/** Waits between attempts after a network failure; Kapacitor's first two are the same. */
const BACKOFF_MS = [20, 400, 1000];

/**
 * Users from a meta node: `GET /user?name=`. An unknown user (404
 * `{"error":"user not found"}` or `{"users":[]}`) is undefined at once; any
 * other answer from the node is final too (unlike Kapacitor, which retries
 * every error, a 404 included, for 10 s). Only a failure to reach the node is
 * tried again, within the timeout. A user with an empty hash is an LDAP user:
 * `checkPassword` asks the node (`GET /authorized`).
 */
export function metaDirectory(options: MetaDirectoryOptions): UserDirectory {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const client = (signal: AbortSignal) => new MetaClient({ ...options, timeoutMs, signal });
  return {
    url: options.url,
    async user(name, signal) {
      const found = await retrying(timeoutMs, signal, (attempt) => client(attempt).user(name));
      if (found === undefined) return undefined;
      const user: DirectoryUser = { name: found.name, admin: false, permissions: found.permissions };
      return found.hash === '' ? user : { ...user, hash: found.hash };
    },
    checkPassword: (name, password, signal) => retrying(timeoutMs, signal, (attempt) => client(attempt).authorized(name, password)),
  };
}

/**
 * Users from an InfluxDB OSS 1.x server: SHOW USERS and SHOW GRANTS FOR
 * (grants in meta permission names, `ALL` as ReadData + WriteData). OSS
 * never hands out hashes, so every password is checked by a query as the
 * user (`SHOW DATABASES`: 200 yes, 401 no).
 */
export function ossDirectory(options: OssDirectoryOptions): UserDirectory {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const client = (signal: AbortSignal) => new OssClient({ ...options, timeoutMs, signal });
  return {
    url: options.url,
    async user(name, signal) {
      return retrying(timeoutMs, signal, async (attempt) => {
        const oss = client(attempt);
        const found = (await oss.users()).find((u) => u.name === name);
        if (found === undefined) return undefined;
        return { name, admin: found.admin, permissions: await oss.grants(name) };
      });
    },
    checkPassword: (name, password, signal) => retrying(timeoutMs, signal, (attempt) => client(attempt).checkPassword(name, password)),
  };
}

/** Runs `task` again after a NETWORK failure while the deadline allows; every other outcome is final. */
async function retrying<T>(timeoutMs: number, signal: AbortSignal, task: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const deadline = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
  const started = Date.now();
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await task(deadline);
    } catch (error) {
      const wait = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]!;
      const retry = AuthError.is(error) && error.code === 'NETWORK' && !deadline.aborted && Date.now() - started + wait < timeoutMs;
      if (!retry) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
