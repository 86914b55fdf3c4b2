import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthError, type Provider as AuthProvider } from '@auth/core';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { IssuerConfig, LockoutConfig, ServerConfig } from '../config/schema.js';
import { listen as listenOn, serveMetrics, startGateway, type RunningGateway } from '../gateway/gateway-server.js';
import { formatHostForUrl, parseListenAddress } from '../config/listen-address.js';
import { ensurePrivateDir } from '../fs/private-files.js';
import { Lockout, type LockoutPolicies } from '../guard/lockout.js';
import type { LockoutStore } from '../guard/lockout-store.js';
import { disallowedGrantError } from '../http/disallowed-grant-error.js';
import { errorBoundary } from '../http/error-boundary.js';
import { issuerOrigin } from '../http/issuer-origin.js';
import { publicCaching } from '../http/public-caching.js';
import { rememberRequestAddress } from '../http/request-address.js';
import { requestLog } from '../http/request-log.js';
import { createRoutes, HEALTH_PATH } from '../http/routes.js';
import { securityHeaders } from '../http/security-headers.js';
import { createAccounts } from '../issuer/accounts.js';
import { AuditLog } from '../issuer/audit-log.js';
import { countTokenEvents, IssuerMetrics } from '../issuer/issuer-metrics.js';
import { logIssuerEvents } from '../issuer/issuer-events.js';
import { createIssuer } from '../issuer/provider-config.js';
import type { KeySet } from '../keys/key-store.js';
import { createLogger } from '../logging/logger.js';
import { startMachineRole } from '../machine/machine-role.js';
import { loadInstalledProviders, type InstalledProvidersOptions } from './installed-providers.js';
import { closeGracefully } from './close-gracefully.js';
import { openStateBackend } from './state-backend.js';

export interface StartAuthServerOptions {
  config: ServerConfig;
  logger?: Logger;
  /** How long in-flight requests may take to finish on close (default 10 s). */
  shutdownTimeoutMs?: number;
  /** Failure counts of the password and client-secret lockout when state is the data dir (default: in this process's memory; with Redis state, in Redis). */
  lockoutStore?: LockoutStore;
  /** Epoch milliseconds, for lockouts and machine tokens (tests inject a clock). */
  now?: () => number;
  /** Providers that verify machine logins (default: the installed providers with `verify`; see installed-providers.ts). */
  machineProviders?: readonly AuthProvider<any>[];
  /** Providers whose `gateway` capability the gateway's routes name (default: the installed providers with `gateway`). */
  gatewayProviders?: readonly AuthProvider<any>[];
  /** Where authenticators read the secrets their config names (default: process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** The config file, named in errors found at startup (a provider refusing a route's auth table). */
  configFile?: string;
}

export interface RunningAuthServer {
  /** The issuer URL (with the bound port when `listen` asked for port 0); undefined when the issuer role is off. */
  issuer?: string;
  /** The issuer's listener. */
  server?: Server;
  /** `http://host:port/metrics` of the issuer, when `metrics_listen` is set. */
  metricsUrl?: string;
  provider?: Provider;
  /** The gateway role, when the config switches it on. */
  gateway?: RunningGateway;
  /** Stops accepting connections, lets in-flight requests finish, then resolves. */
  close(): Promise<void>;
}

/** Starts the roles a validated config switches on; resolves once each accepts requests. */
export async function startAuthServer(options: StartAuthServerOptions): Promise<RunningAuthServer> {
  const { config, logger = createLogger(), shutdownTimeoutMs = 10_000, now = Date.now } = options;
  const issuer = config.roles.includes('issuer') ? await startIssuer({ ...options, config: issuerConfig(config), logger, shutdownTimeoutMs, now }) : undefined;
  let gateway: RunningGateway | undefined;
  try {
    if (config.gateway) {
      gateway = await startGateway({
        config: config.gateway,
        providers: options.gatewayProviders ?? (await loadInstalledProviders('gateway', pluginOptions(options, logger))),
        logger,
        now,
        env: options.env ?? process.env,
        shutdownTimeoutMs,
        ...(options.configFile ? { configFile: options.configFile } : {}),
      });
    }
  } catch (error) {
    await issuer?.close();
    throw error;
  }
  return {
    ...issuer,
    ...(gateway ? { gateway } : {}),
    close: async () => {
      await Promise.all([issuer?.close(), gateway?.close()]);
    },
  };
}

/** Where the roles look for provider packages: the config's `plugins`, relative to its file. */
function pluginOptions(options: Pick<StartAuthServerOptions, 'config' | 'env' | 'configFile'>, logger: Logger): InstalledProvidersOptions {
  return { plugins: options.config.plugins, logger, ...(options.env ? { env: options.env } : {}), ...(options.configFile ? { configFile: options.configFile } : {}) };
}

/** parseServerConfig refuses an issuer without a data dir; a config built by hand is checked here. */
function issuerConfig(config: ServerConfig): IssuerConfig {
  if (config.data_dir === undefined) {
    throw new AuthError('CONFIG_INVALID', 'the issuer role needs data_dir', { key: 'data_dir', hint: 'set data_dir, or leave "issuer" out of roles' });
  }
  return { ...config, data_dir: config.data_dir };
}

interface RunningIssuer {
  issuer: string;
  metricsUrl?: string;
  server: Server;
  provider: Provider;
  close(): Promise<void>;
}

type IssuerOptions = Omit<StartAuthServerOptions, 'config'> & Required<Pick<StartAuthServerOptions, 'logger' | 'shutdownTimeoutMs' | 'now'>> & { config: IssuerConfig };

/** The issuer and the machine login API on `listen`. */
async function startIssuer(options: IssuerOptions): Promise<RunningIssuer> {
  const { config, logger, shutdownTimeoutMs, lockoutStore, now, machineProviders, env = process.env } = options;
  await ensurePrivateDir(config.data_dir);
  const state = await openStateBackend({ config, logger, env, ...(lockoutStore ? { lockoutStore } : {}) });
  if (state.created) logger.info({ event: 'keys.created', data_dir: config.data_dir, kid: state.keys.signing[0]!.kid }, 'generated signing keys');

  const listen = parseListenAddress(config.listen)!;
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listen.port, listen.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await state.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  // With port 0 the issuer can only be named once the port is bound.
  const issuer = config.issuer ?? `http://${formatHostForUrl(listen.host)}:${port}`;

  const accounts = createAccounts(config.users);
  const metrics = new IssuerMetrics();
  const audit = new AuditLog(logger);
  const lockout = new Lockout(state.lockoutStore, lockoutPolicies(config.lockout), now, (check) => {
    metrics.credentialChecked(check);
    audit.credentialChecked(check);
  });

  /** Everything that signs or checks with the keys; made again when another instance rotates them. */
  const assemble = async (keys: KeySet) => {
    const machine = await startMachineRole({ config, issuer, keys, lockout, logger, now, plugins: pluginOptions(options, logger), ...(machineProviders ? { providers: machineProviders } : {}), ...(state.machineStores ? { shared: state.machineStores } : {}) });
    const provider = createIssuer({ config, issuer, keys, accounts, adapter: state.adapter, lockout, logger });
    const routes = createRoutes({ provider, accounts, lockout, csrfKey: keys.csrf_secret, logger });
    provider.use(rememberRequestAddress);
    provider.use(requestLog(logger));
    provider.use(securityHeaders);
    // Ahead of the error boundary: the login API answers every error in Infisical's JSON shape itself.
    provider.use(machine.middleware);
    provider.use(errorBoundary(logger));
    provider.use(issuerOrigin({ issuer, trustedHosts: config.trusted_hosts, anyHost: [HEALTH_PATH] }));
    provider.use(publicCaching({ jwksPath: provider.pathFor('jwks') }));
    provider.use(disallowedGrantError);
    provider.use(routes.routes());
    // Koa's own 'error' event (oidc-provider 8 keeps its Koa app apart): listening replaces Koa's default, which prints a stack trace.
    provider.app.on('error', (error: Error) =>
      logger.error({ event: 'http.error', err: { name: error.name, message: error.message } }, 'unhandled error'),
    );
    logIssuerEvents(provider, logger);
    countTokenEvents(provider, metrics);
    return { provider, machine, handle: provider.callback() };
  };

  let current: Awaited<ReturnType<typeof assemble>>;
  try {
    current = await assemble(state.keys);
  } catch (error) {
    server.close();
    await state.close();
    throw error;
  }
  server.on('request', (request, response) => current.handle(request, response));
  await state.watchKeys?.((keys) => {
    assemble(keys).then(
      (next) => {
        const previous = current;
        current = next;
        logger.info({ event: 'keys.reloaded', signing_kid: keys.signing[0]!.kid }, 'using the changed key set');
        metrics.keysReloaded();
        audit.keysChanged(keys.signing[0]!.kid, keys.signing.map((key) => key.kid));
        void previous.machine.close();
      },
      (error: Error) => logger.error({ event: 'keys.reload_failed', reason: error.message }, 'cannot use the rotated keys; still signing with the previous ones'),
    );
  });

  let metricsServer: Server | undefined;
  let metricsUrl: string | undefined;
  if (config.metrics_listen !== undefined) {
    metricsServer = createServer((request, response) => {
      serveMetrics(request, response, metrics).catch(() => response.destroy());
    });
    try {
      metricsUrl = `${await listenOn(metricsServer, config.metrics_listen, 'metrics_listen')}/metrics`;
    } catch (error) {
      server.close();
      await state.close();
      throw error;
    }
    logger.info({ event: 'metrics.listening', url: metricsUrl }, 'serving /metrics');
  }

  // The bound address as well: behind a proxy the issuer names another host and port.
  logger.info({ event: 'server.listening', issuer, address: `${formatHostForUrl(listen.host)}:${port}`, signing_kid: state.keys.signing[0]!.kid }, 'accepting requests');
  return {
    issuer,
    server,
    get provider() {
      return current.provider;
    },
    ...(metricsUrl ? { metricsUrl } : {}),
    close: async () => {
      await Promise.all([closeGracefully(server, shutdownTimeoutMs), metricsServer ? closeGracefully(metricsServer, shutdownTimeoutMs) : undefined]);
      await current.machine.close();
      await state.close();
    },
  };
}

function lockoutPolicies({ failures, address_failures, first_lock_seconds, max_lock_seconds }: LockoutConfig): LockoutPolicies {
  const timing = { firstLockMs: first_lock_seconds * 1000, maxLockMs: max_lock_seconds * 1000 };
  return { subject: { freeFailures: failures, ...timing }, address: { freeFailures: address_failures, ...timing } };
}
