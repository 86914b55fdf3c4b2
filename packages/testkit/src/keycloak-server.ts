import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * `bin/keycloak.sh`, which fetches the pinned Keycloak distribution through
 * Maven and runs `kc.sh start-dev` on loopback; `.ci/run` calls it too.
 * Resolved against the package root from both src/ and dist/.
 */
export const keycloakScript: string = fileURLToPath(new URL('../bin/keycloak.sh', import.meta.url));

/** A running Keycloak and its bootstrap administrator (a user of realm `master`). */
export interface KeycloakServer {
  url: string;
  admin: { username: string; password: string };
  version: string;
}

export interface StartedKeycloak extends KeycloakServer {
  stop(): Promise<void>;
}

const ENV = {
  url: 'AUTHKIT_KEYCLOAK_URL',
  username: 'AUTHKIT_KEYCLOAK_ADMIN_USERNAME',
  password: 'AUTHKIT_KEYCLOAK_ADMIN_PASSWORD',
  version: 'AUTHKIT_KEYCLOAK_VERSION',
} as const;

/** The Keycloak that `.ci/run` started and exported (`AUTHKIT_KEYCLOAK_*`), if any. */
export function keycloakServerFromEnv(env: NodeJS.ProcessEnv = process.env): KeycloakServer | undefined {
  const url = env[ENV.url];
  const username = env[ENV.username];
  const password = env[ENV.password];
  if (!url || !username || !password) return undefined;
  return { url, admin: { username, password }, version: env[ENV.version] ?? 'unknown' };
}

/**
 * Starts one Keycloak through `keycloak.sh` (first run: Maven download; every
 * run: about a minute on two cores). It is also stopped when this process
 * ends without calling `stop()`.
 */
export async function startKeycloakServer(): Promise<StartedKeycloak> {
  const dir = await mkdtemp(join(tmpdir(), 'authkit-keycloak-'));
  const script = (...args: string[]) => promisify(execFile)(keycloakScript, args, { maxBuffer: 1 << 20 });
  try {
    const { stderr } = await script('start', dir, '--watch', String(process.pid));
    process.stderr.write(stderr);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`${keycloakScript} could not start Keycloak:\n${stderr}`, { cause: error });
  }
  const env = Object.fromEntries(
    (await readFile(join(dir, 'env'), 'utf8'))
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  const server = keycloakServerFromEnv(env);
  if (!server) throw new Error(`${join(dir, 'env')} does not name the Keycloak that ${keycloakScript} started`);
  return {
    ...server,
    async stop() {
      await script('stop', dir);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The body of a vitest globalSetup for tests against real Keycloak: the one
 * .ci/run exported (AUTHKIT_KEYCLOAK_*), else one started for this run.
 * `provide` hands it to the tests (`inject('keycloak')`); the returned
 * function, if any, stops the one started here.
 */
export async function setUpKeycloak(provide: (server: KeycloakServer) => void): Promise<(() => Promise<void>) | undefined> {
  const running = keycloakServerFromEnv();
  if (running) {
    provide(running);
    return undefined;
  }
  const started = await startKeycloakServer();
  provide({ url: started.url, admin: started.admin, version: started.version });
  return () => started.stop();
}
