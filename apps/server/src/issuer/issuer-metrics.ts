import type Provider from 'oidc-provider';
import { collectDefaultMetrics, Counter, Registry } from 'prom-client';
import type { CredentialCheck } from '../guard/lockout.js';

/**
 * The issuer's Prometheus registry (prom-client), scraped on its own
 * `metrics_listen`, never on the public listener. Labels are closed sets
 * (kinds, methods, grant types, OAuth error codes), never a user or client.
 */
export class IssuerMetrics {
  readonly contentType: string;
  private readonly registry = new Registry();
  private readonly checks = new Counter({
    name: 'auth_server_logins_total',
    help: 'Credential checks (sign-in passwords, client secrets, machine logins), by kind, method and result (success, failure, locked).',
    labelNames: ['kind', 'method', 'result'] as const,
    registers: [this.registry],
  });
  private readonly lockouts = new Counter({
    name: 'auth_server_lockout_refusals_total',
    help: 'Checks refused unchecked because the account, client or machine (subject) or the client address was locked.',
    labelNames: ['scope'] as const,
    registers: [this.registry],
  });
  private readonly issued = new Counter({
    name: 'auth_server_tokens_issued_total',
    help: 'Token responses of the token endpoint, by grant type (refresh_token: refreshes).',
    labelNames: ['grant_type'] as const,
    registers: [this.registry],
  });
  private readonly refused = new Counter({
    name: 'auth_server_token_errors_total',
    help: 'Refused token requests, by grant type and OAuth error code.',
    labelNames: ['grant_type', 'error'] as const,
    registers: [this.registry],
  });
  private readonly keyReloads = new Counter({
    name: 'auth_server_key_reloads_total',
    help: 'Key sets taken over from the shared state after a rotation or retirement elsewhere.',
    registers: [this.registry],
  });

  constructor() {
    this.contentType = this.registry.contentType;
    collectDefaultMetrics({ register: this.registry, prefix: 'auth_server_' });
  }

  credentialChecked(check: CredentialCheck): void {
    this.checks.inc({ kind: check.kind, method: check.method, result: check.result });
    if (check.result === 'locked') this.lockouts.inc({ scope: check.lock });
  }

  tokenIssued(grantType: string): void {
    this.issued.inc({ grant_type: grantType });
  }

  tokenRefused(grantType: string, error: string): void {
    this.refused.inc({ grant_type: grantType, error });
  }

  keysReloaded(): void {
    this.keyReloads.inc();
  }

  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}

const GRANT_TYPES = new Set(['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code']);

interface TokenEventContext {
  oidc?: { params?: Record<string, unknown> };
}

/** Counts the token endpoint's answers; a grant type the server does not offer is `other` (labels stay a closed set). */
export function countTokenEvents(provider: Provider, metrics: IssuerMetrics): void {
  const on = provider.on.bind(provider) as unknown as (event: string, listener: (...args: never[]) => void) => void;
  const grantType = (ctx: TokenEventContext) => {
    const value = ctx.oidc?.params?.grant_type;
    return typeof value === 'string' && GRANT_TYPES.has(value) ? value : 'other';
  };
  on('grant.success', (ctx: TokenEventContext) => metrics.tokenIssued(grantType(ctx)));
  on('grant.error', (ctx: TokenEventContext, error: { error?: string }) => metrics.tokenRefused(grantType(ctx), error.error ?? 'server_error'));
}
