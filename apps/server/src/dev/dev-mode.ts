import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { parse as parseToml, stringify as stringifyToml } from 'smol-toml';
import { parseServerConfig } from '../config/load-config.js';
import type { ServerConfig, ServerConfigInput } from '../config/schema.js';
import { ensurePrivateDir, readPrivateFile, writePrivateFile } from '../fs/private-files.js';
import { CODE_PAGE_PATH } from '../http/routes.js';
import { addClientSecret, readClientSecrets } from '../machine/client-secrets.js';
import { UNIVERSAL_AUTH } from '../machine/identity-config.js';
import { hashSecret, verifySecret } from '../secrets/scrypt-hash.js';

/**
 * `auth-server --dev` (ARCHITECTURE.md, dev-mode contract): user `demo`,
 * public client `authctl`, service account `demo-service`, a default
 * resource so every access token is an RFC 9068 JWT, and the machine
 * identity `demo-machine` (universal auth; its client secret is kept, hashed,
 * with the other identity secrets of the data dir). The generated config
 * (hashes only) lives in `<data dir>/config.toml` next to the keys and is
 * reused on restart; a generated secret exists in plain text only in the
 * one message that shows it.
 */

export const DEV_DEFAULT_LISTEN = '127.0.0.1:8080';
export const DEV_DEFAULT_DATA_DIR = '.auth-server-dev';
export const DEV_USER = 'demo';
export const DEV_CLI_CLIENT = 'authctl';
export const DEV_SERVICE_CLIENT = 'demo-service';
export const DEV_RESOURCE = 'urn:auth-server:dev-api';
export const DEV_MACHINE = 'demo-machine';
/** The id of demo-machine's client secret, replaced when AUTH_SERVER_DEV_MACHINE_SECRET changes. */
const DEV_MACHINE_SECRET_ID = 'dev';

export interface DevModeOptions {
  listen?: string;
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
}

export interface DevMode {
  config: ServerConfig;
  configFile: string;
  /** Secrets generated on this start: show them once, they are not stored. */
  generated: { password?: string; clientSecret?: string; machineSecret?: string };
  /** Where each credential came from, for the banner. */
  sources: { password: CredentialSource; clientSecret: CredentialSource; machineSecret: CredentialSource };
}

export type CredentialSource = 'generated' | 'env' | 'stored';

export async function prepareDevMode({ listen = DEV_DEFAULT_LISTEN, dataDir = DEV_DEFAULT_DATA_DIR, env = process.env }: DevModeOptions = {}): Promise<DevMode> {
  const dir = resolve(dataDir);
  const configFile = join(dir, 'config.toml');
  await ensurePrivateDir(dir);
  const text = await readPrivateFile(configFile);
  const stored = text === undefined ? undefined : parseServerConfig(parseToml(text), configFile);

  const password = await credential(env.AUTH_SERVER_DEV_PASSWORD, stored?.users.find((u) => u.username === DEV_USER)?.password_hash);
  const clientSecret = await credential(
    env.AUTH_SERVER_DEV_CLIENT_SECRET,
    stored?.clients.find((c) => c.client_id === DEV_SERVICE_CLIENT)?.secret_hash,
  );

  const input: ServerConfigInput = {
    listen,
    data_dir: '.',
    users: [
      {
        username: DEV_USER,
        password_hash: password.hash,
        claims: { name: 'Demo User', email: 'demo@example.com', email_verified: true },
      },
    ],
    clients: [
      {
        client_id: DEV_CLI_CLIENT,
        name: 'authctl',
        grants: ['authorization_code', 'device_code', 'refresh_token'],
        // Loopback redirects match any port (RFC 8252 §7.3); the code page lives on the issuer.
        redirect_uris: ['http://127.0.0.1/callback', 'http://localhost/callback', CODE_PAGE_PATH],
      },
      {
        client_id: DEV_SERVICE_CLIENT,
        name: 'demo-service',
        secret_hash: clientSecret.hash,
        grants: ['client_credentials'],
      },
    ],
    resources: [{ identifier: DEV_RESOURCE, scopes: ['api:read', 'api:write'], default: true }],
    identities: [{ id: DEV_MACHINE, name: 'demo machine', methods: { [UNIVERSAL_AUTH]: {} } }],
  };
  const next = `# Written by \`auth-server --dev\`; reused on restart. Secrets are stored as scrypt hashes only.\n${stringifyToml(input)}\n`;
  if (next !== text) await writePrivateFile(configFile, next);
  const machineSecret = await machineCredential(dir, env.AUTH_SERVER_DEV_MACHINE_SECRET);

  return {
    config: parseServerConfig(input, configFile),
    configFile,
    generated: { password: password.generated, clientSecret: clientSecret.generated, machineSecret: machineSecret.generated },
    sources: { password: password.source, clientSecret: clientSecret.source, machineSecret: machineSecret.source },
  };
}

async function credential(
  fromEnv: string | undefined,
  storedHash: string | undefined,
): Promise<{ hash: string; source: CredentialSource; generated?: string }> {
  if (fromEnv) {
    const hash = storedHash && (await verifySecret(fromEnv, storedHash)) ? storedHash : await hashSecret(fromEnv);
    return { hash, source: 'env' };
  }
  if (storedHash) return { hash: storedHash, source: 'stored' };
  const generated = randomBytes(18).toString('base64url');
  return { hash: await hashSecret(generated), source: 'generated', generated };
}

/** demo-machine's universal-auth client secret: the one from the environment, the stored one, or a new one shown once. */
async function machineCredential(dataDir: string, fromEnv: string | undefined): Promise<{ source: CredentialSource; generated?: string }> {
  const stored = (await readClientSecrets(dataDir)).find((s) => s.identity === DEV_MACHINE && s.id === DEV_MACHINE_SECRET_ID && s.revoked_at === undefined);
  const description = 'auth-server --dev';
  if (fromEnv) {
    if (!stored || !(await verifySecret(fromEnv, stored.hash))) await addClientSecret(dataDir, DEV_MACHINE, { id: DEV_MACHINE_SECRET_ID, secret: fromEnv, description });
    return { source: 'env' };
  }
  if (stored) return { source: 'stored' };
  const { secret } = await addClientSecret(dataDir, DEV_MACHINE, { id: DEV_MACHINE_SECRET_ID, description });
  return { source: 'generated', generated: secret };
}
