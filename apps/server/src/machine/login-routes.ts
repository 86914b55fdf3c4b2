import Router from '@koa/router';
import { AuthError, type ProviderIO } from '@auth/core';
import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import { machineSubject, type Lockout } from '../guard/lockout.js';
import { StateUnavailable } from '../issuer/state-unavailable.js';
import type { MachineAccessTokens } from './access-tokens.js';
import { normaliseIdentityId, UNIVERSAL_AUTH, type IdentityConfig } from './identity-config.js';
import { invalidCredentials, LoginApiError, sendLoginApiError } from './login-api-error.js';
import { readLoginBody, requiredString } from './login-body.js';
import type { UniversalAuth } from './universal-auth.js';
import type { MethodVerifier } from './verifiers.js';

/**
 * Infisical's machine-identity API (https://infisical.com/docs/api-reference/endpoints):
 * `POST /api/v1/auth/<method>/login`, `/api/v1/auth/token/renew` and
 * `/api/v1/auth/token/revoke`, JSON or form bodies, Infisical's bodies and
 * error shape. Every login is behind the lockout, keyed on the normalised
 * identity (or client id) and on the client address; a locked key is
 * answered 429 with `Retry-After`.
 */
export const LOGIN_API_PREFIX = '/api/v1/auth';

export interface LoginRoutesOptions {
  identities: readonly IdentityConfig[];
  /** Identity id → login method → its binding, parsed by the verifying provider. */
  bindings: ReadonlyMap<string, ReadonlyMap<string, unknown>>;
  verifiers: ReadonlyMap<string, MethodVerifier>;
  universalAuth: UniversalAuth;
  tokens: MachineAccessTokens;
  lockout: Lockout;
  logger: Logger;
  /** Bounded fetch for the verifiers' STS, JWKS and TokenReview calls. */
  io: { fetch: ProviderIO['fetch']; timeoutMs: number };
  /** Epoch milliseconds. */
  now: () => number;
}

/** Answers every request under `LOGIN_API_PREFIX` (a path it does not serve is a JSON 404); passes others on. */
export function createLoginApi(options: LoginRoutesOptions): Middleware {
  const routes = createLoginRoutes(options).routes();
  return async function loginApi(ctx, next) {
    if (!ctx.path.startsWith(`${LOGIN_API_PREFIX}/`)) return next();
    try {
      await routes(ctx as Parameters<typeof routes>[0], async () => {
        throw new LoginApiError(404, `There is no ${ctx.method} ${ctx.path}: see the machine-identity login API in the auth-server README`);
      });
    } catch (error) {
      sendLoginApiError(ctx, toLoginApiError(error, ctx, options.logger));
    }
  };
}

function createLoginRoutes(options: LoginRoutesOptions): Router {
  const { identities, bindings, verifiers, universalAuth, tokens, lockout, logger, io, now } = options;
  const byId = new Map(identities.map((identity) => [normaliseIdentityId(identity.id), identity]));
  const identityOf = (id: string) => byId.get(normaliseIdentityId(id));
  const router = new Router({ prefix: LOGIN_API_PREFIX });

  router.post('/token/renew', async (ctx) => {
    const body = await readLoginBody(ctx);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await tokens.renew(requiredString(body, 'accessToken'), identityOf);
  });

  router.post('/token/revoke', async (ctx) => {
    const body = await readLoginBody(ctx);
    await tokens.revoke(requiredString(body, 'accessToken'), identityOf);
    ctx.body = { message: 'Successfully revoked access token' };
  });

  router.post('/:method/login', async (ctx) => {
    const method = ctx.params.method!;
    const verifier = verifiers.get(method);
    if (method !== UNIVERSAL_AUTH && !verifier) throw new LoginApiError(404, `There is no login method ${method} on this server`);
    const body = await readLoginBody(ctx);
    const claimed = normaliseIdentityId(requiredString(body, method === UNIVERSAL_AUTH ? 'clientId' : 'identityId'));
    const secret = method === UNIVERSAL_AUTH ? requiredString(body, 'clientSecret') : undefined;

    const subject = machineSubject(method, claimed);
    const { admission, lockedUntil } = await lockout.admitUntil(subject, ctx.ip);
    if (admission !== 'admitted') {
      const seconds = Math.max(1, Math.ceil(((lockedUntil ?? now()) - now()) / 1000));
      logger.warn({ event: 'machine.login_locked', method, admission }, 'machine login refused: locked');
      throw new LoginApiError(429, `Too many failed logins; try again in ${seconds} seconds`, seconds);
    }

    let identity: IdentityConfig;
    let principal: string;
    let proven: Awaited<ReturnType<UniversalAuth['authenticate']>> | undefined;
    try {
      if (secret !== undefined) {
        proven = await universalAuth.authenticate(claimed, secret, ctx.ip);
        identity = proven.identity;
        principal = `client-secret:${proven.secret.id}`;
      } else {
        const found = byId.get(claimed);
        const binding = found && bindings.get(found.id)?.get(method);
        if (!found || binding === undefined) throw invalidCredentials(found ? `identity ${found.id} does not bind ${method}` : 'unknown identity id');
        const verified = await verifier!.verify.verify({
          loginMethod: method,
          body,
          identityId: found.id,
          binding: binding as Record<string, unknown>,
          io: { fetch: io.fetch, timeoutMs: io.timeoutMs, signal: AbortSignal.timeout(io.timeoutMs) },
          now: () => Math.floor(now() / 1000),
        });
        identity = found;
        principal = `${verified.provider}:${verified.subject}`;
      }
    } catch (error) {
      // A proof that did not hold counts against the identity and the address; a check that could not be made does not.
      const refused = (error instanceof LoginApiError && error.status === 401) || (AuthError.is(error) && error.code === 'ACCESS_DENIED');
      await (refused ? lockout.failed(subject, ctx.ip) : lockout.abandoned(subject, ctx.ip));
      throw error;
    }
    await lockout.succeeded(subject, ctx.ip);
    // The right secret, past its TTL or use limit: refused, but no guess.
    if (proven !== undefined) await universalAuth.admit(proven.secret);
    logger.info({ event: 'machine.login', identity: identity.id, method, principal }, 'machine identity logged in');
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await tokens.issueForLogin(identity, method);
  });

  router.all('/:method/login', () => {
    throw new LoginApiError(405, 'Log in with POST');
  });

  return router;
}

/** A verifier's AuthError as the API's answer; the reason of a refusal goes to the log, never to the caller. */
function toLoginApiError(error: unknown, ctx: Context, logger: Logger): LoginApiError {
  const path = ctx.path;
  if (error instanceof LoginApiError) {
    if (error.status === 401) logger.info({ event: 'machine.login_failed', path, reason: error.reason ?? error.message }, 'machine login refused');
    return error;
  }
  // The lockout's store (Redis, when instances share state) cannot answer: retry later, as at the issuer's endpoints.
  if (error instanceof StateUnavailable) return new LoginApiError(503, 'The server cannot reach its state store right now; try again in a moment');
  if (AuthError.is(error)) {
    switch (error.code) {
      case 'USAGE':
        return new LoginApiError(400, error.message);
      case 'ACCESS_DENIED':
      case 'INVALID_CREDENTIALS':
        logger.info({ event: 'machine.login_failed', path, reason: error.message }, 'machine login refused');
        return invalidCredentials(error.message);
      case 'NETWORK':
      case 'TIMEOUT':
        logger.warn({ event: 'machine.platform_unreachable', path, reason: error.message }, 'identity platform unreachable');
        return new LoginApiError(503, 'The identity platform could not be reached; try again later');
    }
  }
  logger.error({ event: 'http.error', path, err: { name: (error as Error)?.name, message: (error as Error)?.message } }, 'unexpected error');
  return new LoginApiError(500, 'Something went wrong');
}
