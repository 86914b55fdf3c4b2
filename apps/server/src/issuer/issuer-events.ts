import type Provider from 'oidc-provider';
import type { Logger } from 'pino';

/**
 * oidc-provider's events as log lines: which client did what and which OAuth
 * error it got. Only names and error codes, never a token, code or secret.
 */
const ERROR_EVENTS = [
  'authorization.error',
  'backchannel.error',
  'grant.error',
  'introspection.error',
  'revocation.error',
  'code_verification.error',
  'device_authorization.error',
  'jwks.error',
  'discovery.error',
  'userinfo.error',
] as const;

interface EventContext {
  oidc?: { client?: { clientId: string }; params?: Record<string, unknown>; route?: string };
}

const clientOf = (ctx: EventContext) => ctx.oidc?.client?.clientId;

export function logIssuerEvents(provider: Provider, logger: Logger): void {
  const on = provider.on.bind(provider) as unknown as (event: string, listener: (...args: never[]) => void) => void;
  on('grant.success', (ctx: EventContext) => {
    logger.info({ event: 'grant.success', client_id: clientOf(ctx), grant_type: ctx.oidc?.params?.grant_type }, 'token issued');
  });
  on('grant.revoked', (_ctx: EventContext, grantId: string) => {
    logger.info({ event: 'grant.revoked', grant: grantId }, 'grant revoked');
  });
  for (const event of ERROR_EVENTS) {
    on(event, (ctx: EventContext, err: { error?: string; error_description?: string }) => {
      logger.info({ event, client_id: clientOf(ctx), error: err.error, error_description: err.error_description }, 'request refused');
    });
  }
  on('server_error', (_ctx: EventContext, err: Error) => {
    logger.error({ event: 'server_error', err: { name: err.name, message: err.message } }, 'issuer error');
  });
}
