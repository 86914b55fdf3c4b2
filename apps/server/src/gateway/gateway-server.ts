import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { AuthError, boundedFetch, type GatewayContext, type GatewayDecision, type Provider } from '@auth/core';
import type { Logger } from 'pino';
import { formatHostForUrl, parseListenAddress } from '../config/listen-address.js';
import { closeGracefully } from '../server/close-gracefully.js';
import type { GatewayConfig } from './gateway-config.js';
import { GatewayMetrics, NO_ROUTE } from './gateway-metrics.js';
import { closeRoutes, createGatewayRoutes, matchRoute, type GatewayRoute } from './gateway-routes.js';
import { endToEndHeaders, isHopByHop } from './hop-by-hop.js';
import { cleanRequestTarget, withoutQueryParameters } from './request-target.js';
import { Upstream } from './upstream-proxy.js';

/** Outbound calls of an authenticator (user directories, JWKS): bounded like the machine role's verifiers. */
const AUTHENTICATOR_TIMEOUT_MS = 10_000;
const AUTHENTICATOR_MAX_BYTES = 512 * 1024;
/** Request headers (request line included): Node's default, answered with 431 above it. */
const MAX_HEADER_BYTES = 16 * 1024;
/** Headers a request may carry once: two copies could be read differently by the provider and the upstream. */
const SINGLE_HEADERS = new Set(['host', 'authorization', 'content-length']);
/** Set by the gateway from what it saw; a client's own copies are dropped. */
const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'host', 'expect'];

export interface GatewayOptions {
  config: GatewayConfig;
  /** Providers whose `gateway` capability routes may name. */
  providers: readonly Provider<any>[];
  logger: Logger;
  now: () => number;
  env: Readonly<Record<string, string | undefined>>;
  /** The config file, named in errors. */
  configFile?: string;
  shutdownTimeoutMs: number;
  fetch?: typeof fetch;
}

export interface RunningGateway {
  /** `http://host:port` of the gateway's listener (the bound port when `listen` asked for port 0). */
  url: string;
  /** `http://host:port/metrics`, when `metrics_listen` is set. */
  metricsUrl?: string;
  server: Server;
  close(): Promise<void>;
}

/** Starts the gateway's listener (and its metrics listener); resolves once both accept connections. */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { config, logger } = options;
  const ca = config.upstream_ca_file === undefined ? undefined : await readCa(config.upstream_ca_file, options.configFile);
  const io = {
    fetch: boundedFetch(options.fetch ?? globalThis.fetch, { timeoutMs: AUTHENTICATOR_TIMEOUT_MS, maxBytes: AUTHENTICATOR_MAX_BYTES }),
    timeoutMs: AUTHENTICATOR_TIMEOUT_MS,
  };
  const routes = await createGatewayRoutes(
    config.routes,
    options.providers,
    (where, route): GatewayContext => ({
      where,
      io,
      now: options.now,
      env: options.env,
      log: (event, fields) => logger.info({ ...fields, event, route: route.prefix, provider: route.provider }, event),
    }),
    options.configFile,
  );
  const metrics = new GatewayMetrics(
    routes.flatMap(({ prefix, authenticator }) => (authenticator?.metrics ? [{ route: prefix, metrics: () => authenticator.metrics!() }] : [])),
    (route, error) => logger.warn({ event: 'gateway.metrics_failed', route, err: { message: (error as Error)?.message } }, 'authenticator metrics failed'),
  );
  const upstream = new Upstream({
    url: new URL(config.upstream),
    ...(ca ? { ca } : {}),
    connectTimeoutMs: config.connect_timeout_seconds * 1000,
    responseTimeoutMs: config.response_timeout_seconds * 1000,
    idleTimeoutMs: config.idle_timeout_seconds * 1000,
    ...(config.max_body_bytes !== undefined ? { maxBodyBytes: config.max_body_bytes } : {}),
  });
  const handle = gatewayHandler({ routes, upstream, metrics, logger, config });

  const idleMs = config.idle_timeout_seconds * 1000;
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES, requestTimeout: 0, headersTimeout: idleMs }, (request, response) => {
    handle(request, response).catch((error: unknown) => {
      logger.error({ event: 'gateway.error', err: { name: (error as Error)?.name, message: (error as Error)?.message } }, 'request failed');
      if (!response.headersSent) answer(response, 500, 'internal error');
      else response.destroy();
    });
  });
  server.timeout = idleMs;
  // Neither tunnels nor protocol switches are forwarded: they would carry requests no provider sees.
  server.on('connect', (_request, socket) => refuseRaw(socket, 405, 'Method Not Allowed'));
  server.on('upgrade', (_request, socket) => refuseRaw(socket, 400, 'Bad Request'));

  let metricsServer: Server | undefined;
  let metricsUrl: string | undefined;
  try {
    const address = await listen(server, config.listen, 'gateway.listen');
    if (config.metrics_listen !== undefined) {
      metricsServer = createServer((request, response) => {
        serveMetrics(request, response, metrics).catch(() => response.destroy());
      });
      metricsUrl = `${await listen(metricsServer, config.metrics_listen, 'gateway.metrics_listen')}/metrics`;
      logger.info({ event: 'gateway.metrics_listening', url: metricsUrl }, 'serving /metrics');
    }
    logger.info({ event: 'gateway.listening', url: address, upstream: config.upstream, routes: routes.length }, 'gateway accepting requests');
    return {
      url: address,
      ...(metricsUrl ? { metricsUrl } : {}),
      server,
      close: async () => {
        await Promise.all([closeGracefully(server, options.shutdownTimeoutMs), metricsServer ? closeGracefully(metricsServer, options.shutdownTimeoutMs) : undefined]);
        upstream.close();
        await closeRoutes(routes);
      },
    };
  } catch (error) {
    server.close();
    metricsServer?.close();
    upstream.close();
    await closeRoutes(routes);
    throw error;
  }
}

interface HandlerParts {
  routes: readonly GatewayRoute[];
  upstream: Upstream;
  metrics: GatewayMetrics;
  logger: Logger;
  config: GatewayConfig;
}

function gatewayHandler({ routes, upstream, metrics, logger, config }: HandlerParts) {
  return async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const ended = metrics.started();
    response.once('close', ended);
    const method = request.method ?? 'GET';
    const refuse = (status: number, reason: string, route = NO_ROUTE) => {
      logger.info({ event: 'gateway.refused', method, route, status, reason }, 'request refused');
      answer(response, status, reason);
      metrics.answered(route, method, status, 'refused');
    };

    const target = cleanRequestTarget(request.url ?? '');
    if (!target.ok) return refuse(target.status, target.reason);
    const repeated = repeatedHeader(request.rawHeaders);
    if (repeated) return refuse(400, `header ${repeated} sent more than once`);
    // RFC 9112 §6.1, §6.3: only chunked is decoded here, and the upstream gets the body without any transfer coding.
    const coding = request.headers['transfer-encoding'];
    if (coding !== undefined && coding.trim().toLowerCase() !== 'chunked') return refuse(400, 'transfer coding other than chunked');
    const length = Number(request.headers['content-length'] ?? 0);
    if (config.max_body_bytes !== undefined && length > config.max_body_bytes) return refuse(413, `request body larger than ${config.max_body_bytes} bytes`);
    const route = matchRoute(routes, target.path);
    if (!route) return refuse(404, 'no route for this path');

    let upstreamHeaders: Readonly<Record<string, string | null>> = {};
    let query = target.query;
    if (route.authenticator) {
      // One signal for both ends of the wait: the client leaving, or the deadline (AbortSignal.any and .timeout cost more per request).
      const abort = new AbortController();
      const onClose = () => abort.abort(new Error('client went away'));
      response.once('close', onClose);
      const deadline = setTimeout(() => abort.abort(new Error('authentication took too long')), config.response_timeout_seconds * 1000);
      let decision: GatewayDecision;
      try {
        decision = await route.authenticator.authenticate({
          method,
          path: target.path,
          query: new URLSearchParams(target.query),
          headers: joinedHeaders(request),
          signal: abort.signal,
        });
      } catch (error) {
        if (response.destroyed) return;
        // An authenticator giving up at the deadline is a timeout (504), anything else its failure (500).
        const status = abort.signal.aborted ? 504 : 500;
        logger.error({ event: 'gateway.auth_failed', route: route.prefix, provider: route.provider, status, err: { name: (error as Error)?.name, message: (error as Error)?.message } }, 'authenticator failed');
        answer(response, status, status === 504 ? 'authentication did not finish in time' : 'authentication failed');
        return metrics.answered(route.prefix, method, status, 'error');
      } finally {
        clearTimeout(deadline);
        response.off('close', onClose);
      }
      if (response.destroyed) return;
      if (!decision.allow) {
        logger.info({ event: 'gateway.denied', route: route.prefix, provider: route.provider, method, path: target.path, status: decision.status, reason: decision.reason }, 'request denied');
        const headers = Object.fromEntries(Object.entries(decision.headers).filter(([name]) => name.toLowerCase() !== 'content-length'));
        response.writeHead(decision.status, { ...headers, 'content-length': Buffer.byteLength(decision.body) });
        response.end(decision.body);
        return metrics.answered(route.prefix, method, decision.status, 'denied');
      }
      upstreamHeaders = decision.upstreamHeaders ?? {};
      query = withoutQueryParameters(query, decision.removeQuery ?? []);
    }

    const headers = forwardedHeaders(request, upstreamHeaders);
    const outcome = await upstream.forward(request, response, query ? `${target.path}?${query}` : target.path, headers);
    if (outcome.upstreamSeconds !== undefined) metrics.upstreamResponded(route.prefix, outcome.upstreamSeconds);
    metrics.answered(route.prefix, method, outcome.status, 'allowed');
    if (outcome.failure) {
      logger.warn({ event: 'gateway.upstream_failed', route: route.prefix, method, path: target.path, status: outcome.status, reason: outcome.failure }, 'upstream exchange failed');
    } else if (outcome.clientGone) {
      logger.debug({ event: 'gateway.client_gone', route: route.prefix, method, path: target.path }, 'client went away; upstream request aborted');
    } else {
      logger.debug({ event: 'gateway.request', route: route.prefix, method, path: target.path, status: outcome.status }, 'forwarded');
    }
  };
}

/** What the upstream gets: end-to-end headers, the gateway's own X-Forwarded-*, then the provider's changes. */
function forwardedHeaders(request: IncomingMessage, changes: Readonly<Record<string, string | null>>): OutgoingHttpHeaders {
  const headers = endToEndHeaders(request.headers);
  for (const name of FORWARDING_HEADERS) delete headers[name];
  if (request.socket.remoteAddress) headers['x-forwarded-for'] = request.socket.remoteAddress;
  headers['x-forwarded-proto'] = 'http';
  if (request.headers.host) headers['x-forwarded-host'] = request.headers.host;
  for (const [name, value] of Object.entries(changes)) {
    const key = name.toLowerCase();
    // A provider may set credentials for the upstream, never a hop-by-hop header nor the upstream's Host.
    if (isHopByHop(key) || key === 'host') continue;
    if (value === null) delete headers[key];
    else headers[key] = value;
  }
  return headers;
}

/** Request headers as the contract gives them: Node's, with the one list it keeps (`set-cookie`) joined too. */
function joinedHeaders(request: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

function repeatedHeader(raw: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (!SINGLE_HEADERS.has(name)) continue;
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return undefined;
}

function answer(response: ServerResponse, status: number, error: string): void {
  const body = JSON.stringify({ error });
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

function refuseRaw(socket: Duplex, status: number, text: string): void {
  socket.on('error', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
}

/** GET /metrics on a metrics listener (the gateway's and the issuer's). */
export async function serveMetrics(request: IncomingMessage, response: ServerResponse, metrics: { scrape(): Promise<string>; contentType: string }): Promise<void> {
  if (request.url !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: scrape GET /metrics\n');
    return;
  }
  const text = await metrics.scrape();
  response.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(text) });
  response.end(request.method === 'HEAD' ? undefined : text);
}

/** Listens on `address` (the config's `key`, named in the error); resolves with the bound origin. */
export async function listen(server: Server, address: string, key: string): Promise<string> {
  const { host, port } = parseListenAddress(address)!;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'error';
    throw new AuthError('USAGE', `cannot listen on ${address} (${key}): ${code}`, { key, cause, hint: `pick another address for ${key} (port 0 picks a free one)` });
  }
  const bound = server.address() as AddressInfo;
  return `http://${formatHostForUrl(host)}:${bound.port}`;
}

async function readCa(file: string, configFile: string | undefined): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    throw new AuthError('CONFIG_INVALID', `${configFile ? `${configFile}: ` : ''}gateway.upstream_ca_file: cannot read ${file}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`, {
      ...(configFile ? { file: configFile } : {}),
      key: 'gateway.upstream_ca_file',
      cause,
      hint: 'name a PEM file of the CA certificates that signed the upstream\'s certificate',
    });
  }
}
