import type { GatewayAllow, GatewayAuthenticator, GatewayContext, GatewayDecision, GatewayDeny, GatewayRequest } from '@auth/core/provider';
import type { UserDirectory } from '@auth/provider-influx-meta';
import type { ApiModel } from './api-model.js';
import type { KapacitorGatewaySettings } from './config.js';
import { Counters } from './counters.js';
import { UNPARSABLE, type Credentials } from './credentials.js';
import { influxdbApi } from './influxdb-api.js';
import { kapacitorApi } from './kapacitor-api.js';
import { PasswordCheck } from './password-check.js';
import { describePrivileges, type KapacitorUser } from './privileges.js';
import { signSharedSecretJwt, verifySharedSecretJwt } from './shared-secret-jwt.js';
import type { SubscriptionTokens } from './subscription-tokens.js';
import { UserCache } from './user-cache.js';

export interface KapacitorAuthenticatorOptions {
  readonly providerId: string;
  readonly settings: KapacitorGatewaySettings;
  readonly directory: UserDirectory;
  readonly subscriptions: SubscriptionTokens;
  readonly context: GatewayContext;
}

type Identified = { readonly user: KapacitorUser; readonly issuer: string } | { readonly deny: GatewayDeny };

const ANONYMOUS: KapacitorUser = { name: 'anonymous', admin: false, privileges: new Map() };

/**
 * Kapacitor's `authenticate` and `authorize` (`services/httpd/handler.go`)
 * as a gateway authenticator: the credentials in the upstream's order, a
 * password, shared-secret JWT or subscription token checked, the user read
 * from the directory through the caches, the request authorized, and every
 * refusal in the upstream's words.
 */
export function createKapacitorAuthenticator(options: KapacitorAuthenticatorOptions): GatewayAuthenticator {
  const { settings, directory, subscriptions, context } = options;
  const model: ApiModel = settings.api === 'influxdb' ? influxdbApi : kapacitorApi;
  const counters = new Counters();
  const users = new UserCache({
    ttlMs: settings.cacheExpirationMs,
    negativeTtlMs: settings.negativeCacheMs,
    maxEntries: settings.userCacheSize,
    now: context.now,
    counters,
    load: (name) => {
      counters.add('directory_calls_total');
      // Shared by every request waiting on this user, so bounded by the gateway's timeout rather than one request's signal.
      return directory.user(name, AbortSignal.timeout(context.io.timeoutMs));
    },
  });
  const passwords = new PasswordCheck({ directory, now: context.now, maxEntries: settings.userCacheSize, counters, log: context.log });

  async function identify(credentials: Credentials, request: GatewayRequest): Promise<Identified> {
    switch (credentials.method) {
      case 'basic':
      case 'query':
        return password(credentials.username, credentials.password, request.signal);
      case 'bearer':
        return bearer(credentials.token, request.signal);
      case 'subscription': {
        const outcome = subscriptions.user(credentials.token);
        return 'error' in outcome ? { deny: model.error(401, outcome.error, 'subscription token refused') } : { user: outcome.user, issuer: 'subscription-tokens' };
      }
    }
  }

  async function password(name: string, secret: string, signal: AbortSignal): Promise<Identified> {
    if (name === '') return { deny: model.error(401, 'username required', 'empty username') };
    const failed = (why: string): Identified => ({ deny: model.error(401, 'authorization failed', `${name}: ${why}`) });
    const lookup = await users.lookup(name, signal);
    if (!lookup.found) return failed('no such user in the directory');
    let found = lookup.found;
    let ok = await passwords.check(found, secret, signal);
    if (!ok && lookup.cached && found.record.hash !== undefined) {
      // The cached hash may be older than a password change: one fresh read before refusing.
      users.evict(name);
      const fresh = await users.lookup(name, signal);
      if (!fresh.found) return failed('no such user in the directory');
      if (fresh.found.record.hash !== found.record.hash) ok = await passwords.check(fresh.found, secret, signal);
      found = fresh.found;
    }
    if (!ok) {
      users.evict(name);
      return failed('wrong password');
    }
    return { user: found.user, issuer: directory.url };
  }

  async function bearer(token: string, signal: AbortSignal): Promise<Identified> {
    const refuse = (message: string, why: string): Identified => ({ deny: model.error(401, message, why) });
    // Kapacitor verifies with an empty HMAC key, which anyone can sign with.
    if (settings.sharedSecret === '') return refuse(model.bearerDisabled, 'bearer token while no shared secret is configured');
    const outcome = verifySharedSecretJwt(token, settings.sharedSecret, context.now());
    if ('error' in outcome) return refuse(model.tokenError(outcome.error), `bearer token: ${outcome.error}`);
    const { exp, username } = outcome.claims;
    if (typeof exp !== 'number' || exp <= 0) return refuse('token expiration required', 'bearer token without exp');
    if (typeof username !== 'string') return refuse('username in token must be a string', 'bearer token username not a string');
    if (username === '') return refuse('token must contain a username', 'bearer token with an empty username');
    const lookup = await users.lookup(username, signal);
    if (!lookup.found) return refuse(model.unknownBearerUser(username, settings.directory.kind), `bearer token for ${username}, not in the directory`);
    return { user: lookup.found.user, issuer: directory.url };
  }

  function allow(user: KapacitorUser, issuer: string, method: string): GatewayAllow {
    const { credentials, secret, tokenTtlMs } = settings.upstream;
    const principal = { subject: user.name, issuer, provider: options.providerId, claims: { method }, permissions: describePrivileges(user) };
    if (credentials === 'pass') return { allow: true, principal };
    const authorization =
      credentials === 'shared-secret-jwt' && user !== ANONYMOUS
        ? `Bearer ${signSharedSecretJwt({ username: user.name, exp: Math.floor((context.now() + tokenTtlMs) / 1000) }, secret)}`
        : null;
    return { allow: true, principal, upstreamHeaders: { authorization }, removeQuery: ['u', 'p'] };
  }

  return {
    async authenticate(request: GatewayRequest): Promise<GatewayDecision> {
      if (model.isOpen(request)) return allow(ANONYMOUS, 'none', 'none');
      const credentials = model.credentials(request);
      if (!credentials) return model.error(401, UNPARSABLE, 'no credentials');
      let identified: Identified;
      try {
        identified = await identify(credentials, request);
      } catch (error) {
        if (request.signal.aborted) return model.error(503, 'request aborted', 'the client went away during authentication');
        counters.add('directory_errors_total');
        context.log('kapacitor.directory_unavailable', { directory: directory.url, error: error instanceof Error ? error.message : String(error) });
        return model.error(503, 'unable to reach the user directory', `directory ${directory.url} failed`);
      }
      if ('deny' in identified) return identified.deny;
      return model.authorize(request, identified.user) ?? allow(identified.user, identified.issuer, credentials.method);
    },
    metrics: () => counters.metrics(),
  };
}
