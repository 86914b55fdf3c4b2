import { join } from 'node:path';
import { AuthError } from '@auth/core';
import type { Command } from 'commander';
import { loadServerConfig } from '../config/load-config.js';
import type { IssuerConfig, ServerConfig } from '../config/schema.js';
import { AuditLog } from '../issuer/audit-log.js';
import type { SharedState } from '../redis/admin-connection.js';
import { addClientSecret, makeClientSecret, readClientSecrets, readSecretUses, revokeClientSecret, type ClientSecretRecord } from './client-secrets.js';
import { clientIdOf, UNIVERSAL_AUTH, type IdentityConfig } from './identity-config.js';

/**
 * `auth-server identities …`: the machine identities of a config and their
 * universal-auth client secrets. A new secret is printed once, on stdout,
 * and stored only as a scrypt hash; a running server picks up new and
 * revoked secrets without a restart.
 */

interface Where {
  config?: string;
  dataDir?: string;
}

const say = (line: string) => process.stderr.write(`${line}\n`);

/** The config named by --config, or the one `--dev` keeps in its data dir. */
async function configOf(where: Where): Promise<IssuerConfig> {
  const file = where.config ?? (where.dataDir ? join(where.dataDir, 'config.toml') : undefined);
  if (!file) throw new AuthError('USAGE', 'no config given', { hint: 'pass --config FILE (or --data-dir DIR of an `auth-server --dev` data dir)' });
  const config = await loadServerConfig(file);
  if (config.data_dir === undefined) {
    throw new AuthError('USAGE', `${file} has no data_dir: machine identities belong to the issuer role`, { hint: 'pass the config of a server whose roles include issuer' });
  }
  return { ...config, data_dir: config.data_dir };
}

/** The Redis every instance reads secrets from, when the config's `state` is one. */
const sharedStateOf = (config: IssuerConfig): SharedState | undefined => (config.state === undefined ? undefined : { url: config.state, redis: config.redis });

/** Loaded only when the config shares state in Redis. */
const redisCommands = async () => ({ ...(await import('../redis/admin-connection.js')), ...(await import('../redis/redis-machine-stores.js')) });

function universalAuthIdentity(config: ServerConfig, id: string): IdentityConfig {
  const identity = config.identities.find((candidate) => candidate.id === id);
  if (!identity) {
    throw new AuthError('USAGE', `no identity "${id}" in the config`, {
      key: 'identities',
      hint: `run \`auth-server identities list\` to see the identities (${config.identities.map((i) => i.id).join(', ') || 'none configured'})`,
    });
  }
  if (clientIdOf(identity) === undefined) {
    throw new AuthError('USAGE', `identity "${id}" does not bind universal-auth, so it has no client secrets`, {
      key: `identities.${id}.methods`,
      hint: `add [identities.methods.${UNIVERSAL_AUTH}] to identity "${id}" in the config`,
    });
  }
  return identity;
}

function wholeNumber(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) <= 0) throw new AuthError('USAGE', `${name} must be a positive whole number, got "${value}"`);
    return Number(value);
  };
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

export function addIdentitiesCommands(root: Command): Command {
  const identities = root.command('identities').description('machine identities of the login API and their universal-auth client secrets');
  const where = (command: Command) =>
    command.option('--config <file>', 'the server\'s config file').option('--data-dir <dir>', 'an `auth-server --dev` data dir (its config.toml)');

  where(identities.command('list').description('list the identities and their login methods')).action(async (options: Where) => {
    for (const identity of (await configOf(options)).identities) {
      const clientId = clientIdOf(identity);
      process.stdout.write(`${identity.id}\t${Object.keys(identity.methods).sort().join(',')}${clientId ? `\tclient_id=${clientId}` : ''}\n`);
    }
  });

  where(identities.command('add-secret').argument('<identity>', 'identity id').description('make a universal-auth client secret (printed once)'))
    .option('--ttl <seconds>', 'the secret expires this long after now (default: never)', wholeNumber('--ttl'))
    .option('--uses <count>', 'the secret works for this many logins (default: no limit)', wholeNumber('--uses'))
    .option('--description <text>', 'a note kept with the secret')
    .action(async (id: string, options: Where & { ttl?: number; uses?: number; description?: string }) => {
      const config = await configOf(options);
      const identity = universalAuthIdentity(config, id);
      const settings = {
        ...(options.ttl ? { ttl: options.ttl } : {}),
        ...(options.uses ? { usesLimit: options.uses } : {}),
        ...(options.description ? { description: options.description } : {}),
      };
      const shared = sharedStateOf(config);
      let made: { record: ClientSecretRecord; secret: string };
      if (shared) {
        const { withRedis, addSharedClientSecret } = await redisCommands();
        made = await makeClientSecret(identity.id, settings);
        await withRedis(shared, (redis) => addSharedClientSecret(redis, shared.redis.key_prefix, made.record));
      } else {
        made = await addClientSecret(config.data_dir, identity.id, settings);
      }
      const { record, secret } = made;
      AuditLog.forAdminCommand().adminChanged({
        audit: 'secret_added',
        identity: identity.id,
        client_id: clientIdOf(identity)!,
        secret_id: record.id,
        ...(record.uses_limit ? { uses_limit: record.uses_limit } : {}),
        ...(record.ttl ? { ttl: record.ttl } : {}),
      });
      process.stdout.write(`${secret}\n`);
      say(`Client secret ${record.id} for ${clientIdOf(identity)} (shown only now; store it in your secret manager).`);
    });

  where(identities.command('list-secrets').argument('<identity>', 'identity id').description('list an identity\'s client secrets (never the secrets)')).action(
    async (id: string, options: Where) => {
      const config = await configOf(options);
      const identity = universalAuthIdentity(config, id);
      const shared = sharedStateOf(config);
      let secrets = (await readClientSecrets(config.data_dir)).filter((s) => s.identity === identity.id);
      let uses = await readSecretUses(config.data_dir);
      if (shared) {
        const { withRedis, readSharedClientSecrets, readSharedSecretUses } = await redisCommands();
        await withRedis(shared, async (redis) => {
          const inRedis = await readSharedClientSecrets(redis, shared.redis.key_prefix, identity.id);
          secrets = [...inRedis, ...secrets];
          uses = { ...uses, ...(await readSharedSecretUses(redis, shared.redis.key_prefix, secrets.map((s) => s.id))) };
        });
      }
      for (const secret of secrets) {
        const state = secret.revoked_at !== undefined ? `revoked ${iso(secret.revoked_at)}` : secret.ttl ? `expires ${iso(secret.created_at + secret.ttl)}` : 'no expiry';
        const used = `${uses[secret.id] ?? 0}${secret.uses_limit ? `/${secret.uses_limit}` : ''} uses`;
        process.stdout.write(`${secret.id}\t${secret.prefix}…\t${iso(secret.created_at)}\t${state}\t${used}\t${secret.description}\n`);
      }
    },
  );

  where(identities.command('revoke-secret').argument('<identity>', 'identity id').argument('<secret-id>', 'from list-secrets').description('revoke a client secret')).action(
    async (id: string, secretId: string, options: Where) => {
      const config = await configOf(options);
      const identity = universalAuthIdentity(config, id);
      const shared = sharedStateOf(config);
      let revokedInRedis = false;
      if (shared) {
        const { withRedis, revokeSharedClientSecret } = await redisCommands();
        revokedInRedis = await withRedis(shared, (redis) => revokeSharedClientSecret(redis, shared.redis.key_prefix, identity.id, secretId));
      }
      // A secret made before the config shared state lives in the data dir.
      if (!revokedInRedis) await revokeClientSecret(config.data_dir, identity.id, secretId);
      AuditLog.forAdminCommand().adminChanged({ audit: 'secret_revoked', identity: identity.id, client_id: clientIdOf(identity)!, secret_id: secretId });
      say(`Client secret ${secretId} of ${identity.id} revoked; logins with it are refused from now on.`);
    },
  );
  return identities;
}
