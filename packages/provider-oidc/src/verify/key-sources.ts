import { createPublicKey, type KeyObject } from 'node:crypto';
import { AuthError, isLoopbackHost } from '@auth/core/provider';
import { JwksCache } from '@auth/core/verify';
import type { FederatedJwtBinding } from './binding.js';

/**
 * Where the keys of a bound issuer come from, cached per URL for the life
 * of the provider instance. A remote JWKS is core's `JwksCache`: one fetch
 * at a time, kept up to 10 minutes, refetched on an unknown `kid` at most
 * every 30 seconds, never on a bad signature under a known `kid`, the last
 * good set kept through an outage of up to an hour. Discovery documents are
 * kept 10 minutes, and a failed discovery is not kept.
 */

const MAX_AGE_MS = 10 * 60_000;

export interface KeyIO {
  fetch: typeof fetch;
  signal: AbortSignal;
  timeoutMs: number;
}


interface Discovered {
  jwksUri: string;
  fetchedAt: number;
}

export class KeySources {
  readonly #discovered = new Map<string, Promise<Discovered>>();
  readonly #remote = new Map<string, JwksCache>();
  readonly #static = new Map<string, KeyObject>();

  async keysFor(binding: FederatedJwtBinding, io: KeyIO, nowMs: number): Promise<JwksCache | readonly KeyObject[]> {
    if ('public_keys' in binding && binding.public_keys) return binding.public_keys.map((pem) => this.#publicKey(pem));
    const jwksUrl = 'oidc_discovery_url' in binding ? (await this.#discover(binding.oidc_discovery_url, binding.allow_http, io, nowMs)).jwksUri : binding.jwks_url!;
    return this.#remoteSet(jwksUrl);
  }

  #publicKey(pem: string): KeyObject {
    let key = this.#static.get(pem);
    if (!key) this.#static.set(pem, (key = createPublicKey(pem)));
    return key;
  }

  #remoteSet(url: string): JwksCache {
    let set = this.#remote.get(url);
    if (!set) this.#remote.set(url, (set = new JwksCache({ url, hint: 'check jwks_url or oidc_discovery_url of the identity, or the network path to the issuer' })));
    return set;
  }

  #discover(url: string, allowHttp: boolean, io: KeyIO, nowMs: number): Promise<Discovered> {
    const cached = this.#discovered.get(url);
    if (cached) {
      return cached.then((found) => (nowMs - found.fetchedAt < MAX_AGE_MS ? found : this.#refresh(url, allowHttp, io, nowMs)));
    }
    return this.#refresh(url, allowHttp, io, nowMs);
  }

  #refresh(url: string, allowHttp: boolean, io: KeyIO, nowMs: number): Promise<Discovered> {
    const pending = fetchDiscovery(url, allowHttp, io).then((jwksUri) => ({ jwksUri, fetchedAt: nowMs }));
    this.#discovered.set(url, pending);
    pending.catch(() => {
      if (this.#discovered.get(url) === pending) this.#discovered.delete(url);
    });
    return pending;
  }
}

/** OpenID Connect Discovery 1.0 §4: the metadata's `issuer` must be the URL it was asked of. */
async function fetchDiscovery(issuer: string, allowHttp: boolean, io: KeyIO): Promise<string> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let response: Response;
  try {
    response = await io.fetch(url, { headers: { accept: 'application/json' }, redirect: 'manual', signal: io.signal });
  } catch (cause) {
    if (AuthError.is(cause)) throw cause;
    const timedOut = (cause as Error)?.name === 'TimeoutError' || (cause as Error)?.name === 'AbortError';
    throw new AuthError(timedOut ? 'TIMEOUT' : 'NETWORK', `OIDC discovery at ${url} failed: ${(cause as Error)?.message ?? String(cause)}`, { url, cause });
  }
  if (response.status !== 200) {
    throw new AuthError('NETWORK', `OIDC discovery at ${url} answered HTTP ${response.status}`, { url, status: response.status });
  }
  let metadata: { issuer?: unknown; jwks_uri?: unknown };
  try {
    metadata = (await response.json()) as typeof metadata;
  } catch (cause) {
    throw new AuthError('NETWORK', `OIDC discovery at ${url} did not answer JSON`, { url, cause });
  }
  if (metadata.issuer !== issuer) {
    throw new AuthError('NETWORK', `OIDC discovery at ${url} names issuer ${JSON.stringify(metadata.issuer)}, not ${issuer}`, {
      url,
      hint: 'set oidc_discovery_url to the issuer URL exactly as the IdP names it',
    });
  }
  const jwksUri = metadata.jwks_uri;
  if (typeof jwksUri !== 'string' || !URL.canParse(jwksUri)) {
    throw new AuthError('NETWORK', `OIDC discovery at ${url} has no jwks_uri`, { url });
  }
  const parsed = new URL(jwksUri);
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && (allowHttp || isLoopbackHost(parsed.hostname)))) {
    throw new AuthError('NETWORK', `OIDC discovery at ${url} names a jwks_uri that is not https: ${jwksUri}`, { url });
  }
  return jwksUri;
}
