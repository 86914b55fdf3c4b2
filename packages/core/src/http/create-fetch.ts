import type { Dispatcher } from 'undici';
import { readClientCertificate, type ClientCertificateFiles } from './client-certificate.js';
import { requestUrl } from './request-url.js';
import { proxyEnv, type ProxyEnv } from './proxy-env.js';
import { tlsFailure } from './tls-failure.js';
import { trustedCertificates } from './trusted-certificates.js';

export interface CreateFetchOptions {
  /** A PEM bundle to trust in addition to Node's default roots (a profile's `ca_file`, an absolute path). */
  caFile?: string;
  /** A client certificate presented when the server asks for one (mutual TLS). */
  clientCertificate?: ClientCertificateFiles;
  /**
   * Accept any server certificate, as Kapacitor's `meta-insecure-skip-verify`
   * does: the connection is encrypted but not authenticated.
   */
  insecureSkipVerify?: boolean;
  /** Where the proxy variables and `NODE_EXTRA_CA_CERTS` are read (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Named in error messages and hints. */
  profile?: string;
  /** The config file that set `caFile`, named in its errors. */
  configFile?: string;
}

type Fetch = typeof fetch;

/**
 * The `fetch` a profile's requests go through.
 *
 * - Node's own fetch when nothing is configured: it already trusts
 *   `NODE_EXTRA_CA_CERTS`, and undici is not even loaded.
 * - With `caFile`: that CA is trusted in addition to the defaults.
 * - With `clientCertificate`: it is presented to servers that ask for one.
 * - With `HTTPS_PROXY` / `HTTP_PROXY` (or lowercase): requests go through the
 *   proxy of their URL's scheme (`CONNECT` for https, an absolute URI for
 *   http), except hosts that `NO_PROXY` names (see `proxy-env.ts`).
 *
 * A request failing on the server's TLS certificate becomes a NETWORK error
 * naming the URL with a hint to set `ca_file`. Timeouts and cancellation stay
 * with the caller's `AbortSignal`, as for any fetch.
 */
export function createFetch(options: CreateFetchOptions = {}): Fetch {
  const env = options.env ?? process.env;
  const proxies = proxyEnv(env);
  let transport: Promise<Fetch> | undefined;
  const send: () => Fetch | Promise<Fetch> =
    options.caFile === undefined && options.clientCertificate === undefined && !options.insecureSkipVerify && proxies === undefined
      ? () => globalThis.fetch
      : () => (transport ??= undiciTransport(options, proxies, env));

  return async (input, init) => {
    const fetchVia = await send();
    try {
      return await fetchVia(input, init);
    } catch (error) {
      throw tlsFailure(error, requestUrl(input), options.profile) ?? error;
    }
  };
}

/** What undici's connector is given; undefined when every TLS setting is the default. */
function tlsOptions(options: CreateFetchOptions, env: NodeJS.ProcessEnv): { ca?: string[]; cert?: string; key?: string; rejectUnauthorized?: boolean } | undefined {
  const site = {
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    ...(options.configFile === undefined ? {} : { file: options.configFile }),
  };
  const tls = {
    ...(options.caFile === undefined ? {} : { ca: trustedCertificates(options.caFile, env, site) }),
    ...(options.clientCertificate === undefined ? {} : readClientCertificate(options.clientCertificate, options.profile)),
    ...(options.insecureSkipVerify ? { rejectUnauthorized: false } : {}),
  };
  return Object.keys(tls).length === 0 ? undefined : tls;
}

/** undici's own fetch with its dispatchers: a dispatcher from one undici copy is not guaranteed to fit another's fetch. */
async function undiciTransport(options: CreateFetchOptions, proxies: ProxyEnv | undefined, env: NodeJS.ProcessEnv): Promise<Fetch> {
  const undici = await import('undici');
  const tls = tlsOptions(options, env);
  const direct = new undici.Agent(tls === undefined ? {} : { connect: tls });
  const through = (proxy: string | undefined): Dispatcher =>
    proxy === undefined
      ? direct
      : new undici.EnvHttpProxyAgent({
          httpProxy: proxy,
          httpsProxy: proxy,
          noProxy: proxies?.noProxy ?? '',
          // curl's way: plain http goes to the proxy as an absolute URI, only https is tunnelled.
          proxyTunnel: false,
          ...(tls === undefined ? {} : { connect: tls, requestTls: tls, proxyTls: tls }),
        });
  const forHttp = through(proxies?.http);
  const forHttps = through(proxies?.https);

  return (input, init) => {
    if (typeof input !== 'string' && !(input instanceof URL)) {
      // undici's fetch cannot read a Request made by Node's built-in copy of undici.
      throw new TypeError('this fetch takes a URL and a RequestInit, not a Request object');
    }
    const dispatcher = new URL(input).protocol === 'https:' ? forHttps : forHttp;
    // The web `fetch` types and undici's own differ in detail only; the objects are the same at runtime.
    return undici.fetch(input, { ...(init as object), dispatcher }) as unknown as Promise<Response>;
  };
}
