import { AuthError, exitCodeFor } from '@auth/core';
import { Command, CommanderError, Option } from 'commander';
import { loadServerConfig } from './config/load-config.js';
import { parseListenAddress } from './config/listen-address.js';
import type { ServerConfig } from './config/schema.js';
import { devBanner } from './dev/dev-banner.js';
import { DEV_DEFAULT_DATA_DIR, DEV_DEFAULT_LISTEN, prepareDevMode } from './dev/dev-mode.js';
import { AuditLog } from './issuer/audit-log.js';
import { listSigningKeys, retireSigningKey, rotateSigningKey } from './keys/key-store.js';
import { createLogger } from './logging/logger.js';
import { addIdentitiesCommands } from './machine/identities-commands.js';
import { DEFAULT_REDIS_OPTIONS, stateUrl, type RedisOptions } from './redis/state-backend-config.js';
import { hashSecret } from './secrets/scrypt-hash.js';
import { readSecretInput } from './secrets/read-secret-input.js';

interface ServeOptions {
  dev?: boolean;
  config?: string;
  listen?: string;
  dataDir?: string;
  state?: string;
  issuer?: string;
  metricsListen?: string;
  logLevel: string;
}

const say = (line: string) => process.stderr.write(`${line}\n`);

function listenOption(option: string, example: string) {
  return (value: string): string => {
    if (!parseListenAddress(value)) {
      throw new AuthError('USAGE', `${option} "${value}" is not HOST:PORT`, { hint: `e.g. ${option} ${example} (port 0 picks a free port)` });
    }
    return value;
  };
}

function stateOption(value: string): string {
  const checked = stateUrl.safeParse(value);
  if (!checked.success) throw new AuthError('USAGE', `--state: ${checked.error.issues[0]!.message}`, { hint: 'e.g. --state redis://127.0.0.1:6379 (password in AUTH_SERVER_REDIS_PASSWORD)' });
  return value;
}

function issuerOption(value: string): string {
  if (!URL.canParse(value) || !['http:', 'https:'].includes(new URL(value).protocol)) {
    throw new AuthError('USAGE', `--issuer "${value}" is not an http(s) URL`, { hint: 'the URL clients use, e.g. --issuer http://127.0.0.1:8080 (the load balancer in front of the instances)' });
  }
  return value;
}

async function serve(options: ServeOptions): Promise<void> {
  if (options.dev && options.config) {
    throw new AuthError('USAGE', '--dev and --config cannot be combined', { hint: 'use --dev for the quick start, or --config FILE for your own setup' });
  }
  if (!options.dev && !options.config) {
    throw new AuthError('USAGE', 'nothing to serve', { hint: 'run `auth-server --dev` for the quick start, or `auth-server --config FILE`' });
  }
  const logger = createLogger({ level: options.logLevel });
  let config: ServerConfig;
  let dev: Awaited<ReturnType<typeof prepareDevMode>> | undefined;
  if (options.dev) {
    dev = await prepareDevMode({ listen: options.listen ?? DEV_DEFAULT_LISTEN, dataDir: options.dataDir ?? DEV_DEFAULT_DATA_DIR });
    config = dev.config;
  } else {
    const loaded = await loadServerConfig(options.config!);
    config = {
      ...loaded,
      ...(options.listen ? { listen: options.listen } : {}),
      ...(options.dataDir ? { data_dir: options.dataDir } : {}),
    };
  }
  // Several instances behind one address: each listens on its own, and all name the same issuer and share one state.
  if (options.state) config = { ...config, state: options.state };
  if (options.issuer) config = { ...config, issuer: options.issuer };
  if (options.metricsListen) config = { ...config, metrics_listen: options.metricsListen };

  // Loaded here so that key and hash commands do not pay for (or hear from) oidc-provider.
  const { startAuthServer } = await import('./server/start-auth-server.js');
  let running;
  try {
    running = await startAuthServer({ config, logger, ...(options.config ? { configFile: options.config } : {}) });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new AuthError('USAGE', `cannot listen on ${config.listen}: ${code}`, {
        hint: 'pick another address with --listen HOST:PORT (port 0 picks a free one)',
        cause: error,
      });
    }
    throw error;
  }
  if (dev) say(devBanner(dev, running.issuer!, running.metricsUrl));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ event: 'server.stopping', signal }, 'finishing in-flight requests');
    running.close().then(
      () => {
        logger.info({ event: 'server.stopped' }, 'stopped');
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // Scripts read the issuer from this line; a gateway-only server names the gateway's URL.
  process.stdout.write(`ready ${running.issuer ?? running.gateway!.url}\n`);
}

async function dataDirOf(options: { dataDir?: string; config?: string }): Promise<string> {
  if (options.dataDir) return options.dataDir;
  if (options.config) {
    const { data_dir } = await loadServerConfig(options.config);
    if (data_dir !== undefined) return data_dir;
    throw new AuthError('USAGE', `${options.config} has no data_dir: signing keys belong to the issuer role`, { hint: 'pass the config of a server whose roles include issuer' });
  }
  throw new AuthError('USAGE', 'no data dir given', { hint: 'pass --data-dir DIR (or --config FILE) of the server whose keys to change' });
}

interface KeyCommandOptions {
  dataDir?: string;
  config?: string;
  state?: string;
}

/** The Redis state of `--state`, or of the config file's `state`; undefined when keys live in a data dir. */
async function sharedStateOf(options: KeyCommandOptions): Promise<{ url: string; redis: RedisOptions } | undefined> {
  const loaded = options.config ? await loadServerConfig(options.config) : undefined;
  const url = options.state ?? loaded?.state;
  return url === undefined ? undefined : { url, redis: loaded?.redis ?? DEFAULT_REDIS_OPTIONS };
}

function program(): Command {
  const root = new Command('auth-server')
    .description('An OpenID issuer with real sign-in pages. `auth-server --dev` starts a ready-to-use one.')
    .option('--dev', 'quick start: demo user, authctl and demo-service clients, state in --data-dir')
    .option('--config <file>', 'serve the roles (issuer, gateway) described by a TOML or YAML config file')
    .option('--listen <host:port>', `address to listen on (--dev default ${DEV_DEFAULT_LISTEN})`, listenOption('--listen', '127.0.0.1:8080'))
    .option('--data-dir <dir>', `folder for keys and state (--dev default ./${DEV_DEFAULT_DATA_DIR})`)
    .option('--state <url>', 'share state with other instances in Redis (redis:// or rediss://; password in AUTH_SERVER_REDIS_PASSWORD)', stateOption)
    .option('--issuer <url>', 'the issuer URL clients use, when it is not http://<listen> (e.g. a load balancer in front of several instances)', issuerOption)
    .option('--metrics-listen <host:port>', 'serve the issuer\'s Prometheus /metrics on this address (never the public one)', listenOption('--metrics-listen', '127.0.0.1:9101'))
    .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'silent']).default('info').env('AUTH_SERVER_LOG_LEVEL'))
    .showHelpAfterError()
    // Options before a subcommand are the server's; `keys rotate --data-dir` keeps its own.
    .enablePositionalOptions()
    .action((options: ServeOptions) => serve(options));

  const keys = root.command('keys').description('manage the signing keys in a data dir (restart the server to apply) or in Redis (--state: every instance applies them at once)');
  const keyOptions = (command: Command) =>
    command.option('--data-dir <dir>', 'the server\'s data dir').option('--config <file>', 'read the data dir from this config file');
  const stateOptionOf = (command: Command) =>
    command.option('--state <url>', 'the keys several instances share in Redis: each picks the change up at once', stateOption);
  keyOptions(stateOptionOf(keys.command('rotate').description('add a new signing key; older keys keep verifying until retired'))).action(
    async (options: KeyCommandOptions) => {
      const shared = await sharedStateOf(options);
      if (shared) {
        const { rotateSharedKeys } = await import('./redis/shared-keys-commands.js');
        const kid = await rotateSharedKeys(shared);
        AuditLog.forAdminCommand().adminChanged({ audit: 'key_rotated', kid, store: shared.url });
        process.stdout.write(`${kid}\n`);
        say('New signing key added in Redis; every instance signs with it now. Tokens signed with older keys keep verifying.');
        return;
      }
      const dataDir = await dataDirOf(options);
      const key = await rotateSigningKey(dataDir);
      AuditLog.forAdminCommand().adminChanged({ audit: 'key_rotated', kid: key.kid, store: dataDir });
      process.stdout.write(`${key.kid}\n`);
      say('New signing key added; restart auth-server to sign with it. Tokens signed with older keys keep verifying.');
    },
  );
  keyOptions(stateOptionOf(keys.command('retire').argument('<kid>', 'key id to remove').description('remove an older key from the JWKS'))).action(
    async (kid: string, options: KeyCommandOptions) => {
      const shared = await sharedStateOf(options);
      if (shared) {
        const { retireSharedKey } = await import('./redis/shared-keys-commands.js');
        await retireSharedKey(shared, kid);
        AuditLog.forAdminCommand().adminChanged({ audit: 'key_retired', kid, store: shared.url });
        say(`Key ${kid} retired in Redis; no instance publishes it any more. Tokens it signed no longer verify.`);
        return;
      }
      const dataDir = await dataDirOf(options);
      await retireSigningKey(dataDir, kid);
      AuditLog.forAdminCommand().adminChanged({ audit: 'key_retired', kid, store: dataDir });
      say(`Key ${kid} retired; restart auth-server to stop publishing it. Tokens it signed no longer verify.`);
    },
  );
  keyOptions(stateOptionOf(keys.command('list').description('list the signing keys, active first'))).action(async (options: KeyCommandOptions) => {
    const shared = await sharedStateOf(options);
    const listed = shared ? await (await import('./redis/shared-keys-commands.js')).listSharedKeys(shared) : await listSigningKeys(await dataDirOf(options));
    for (const key of listed) {
      process.stdout.write(`${key.kid}\t${key.active ? 'active' : 'verify-only'}\t${new Date(key.created_at * 1000).toISOString()}\n`);
    }
  });

  root
    .command('hash-password')
    .description('read a password or client secret from stdin and print its scrypt hash for the config file')
    .action(async () => {
      process.stdout.write(`${await hashSecret(await readSecretInput())}\n`);
    });

  const identities = addIdentitiesCommands(root);

  for (const command of [root, keys, ...keys.commands, identities, ...identities.commands, ...root.commands]) command.exitOverride();
  return root;
}

try {
  await program().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (AuthError.is(error)) {
    say(`auth-server: ${error.message}`);
    if (error.hint) say(`hint: ${error.hint}`);
    process.exitCode = exitCodeFor(error);
  } else {
    say(`auth-server: unexpected error: ${(error as Error)?.message ?? String(error)}`);
    process.exitCode = 1;
  }
}
