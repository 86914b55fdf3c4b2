import { randomBytes } from 'node:crypto';
import type { Configuration, JWK } from 'oidc-provider';
import { findAccount } from './accounts.js';
import { interactionPath } from './interactions.js';
import { DEVICE_CODE_GRANT } from './knobs.js';
import type { MemoryStore } from './memory-store.js';
import { deviceConfirmPage, deviceInputPage, deviceSuccessPage, errorPage } from './pages.js';
import { PASSWORD_GRANT } from './password-grant.js';

export const PUBLIC_CLIENT_ID = 'authctl';
export const CONFIDENTIAL_CLIENT = { id: 'svc', secret: 'svc-secret' } as const;

export const ROUTES = {
  authorization: '/auth',
  token: '/token',
  deviceAuthorization: '/device/auth',
  codeVerification: '/device',
  revocation: '/token/revocation',
  introspection: '/token/introspection',
  userinfo: '/me',
  jwks: '/jwks',
} as const;

export const SCOPES: ReadonlySet<string> = new Set(['openid', 'offline_access', 'profile', 'email', 'api:read', 'api:write']);

// RFC 8252 §7.3: a native client's loopback redirect matches on any port.
const LOOPBACK_REDIRECTS = ['http://127.0.0.1/callback', 'http://localhost/callback'];
const USER_GRANTS = ['authorization_code', 'refresh_token', DEVICE_CODE_GRANT, PASSWORD_GRANT];

export interface Lifetimes {
  accessToken: number;
  refreshToken: number;
  deviceCode: number;
}

const DEVICE_INPUT_ERRORS: Record<string, { kind: string; message: string }> = {
  AbortedError: { kind: 'aborted', message: 'The sign-in request was denied.' },
  ExpiredError: { kind: 'expired', message: 'The code has expired.' },
  AlreadyUsedError: { kind: 'already_used', message: 'The code has already been used.' },
  NotFoundError: { kind: 'invalid_code', message: 'The code you entered is not valid.' },
  NoCodeError: { kind: 'invalid_code', message: 'Enter the code shown on your device.' },
};

/**
 * oidc-provider's configuration for one test IdP. Lifetimes are read when an
 * artifact is issued, so a knob turned mid-test applies to what comes next.
 * Everything the library would otherwise default with a "change me" notice
 * (keys, cookies, adapter, pages, TTLs) is set here.
 */
export function idpConfiguration(opts: {
  users: ReadonlyMap<string, string>;
  lifetimes: Lifetimes;
  store: MemoryStore;
  signingKey: JWK;
}): Configuration {
  const { users, lifetimes } = opts;
  return {
    adapter: opts.store.adapterFor,
    jwks: { keys: [opts.signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    clients: [
      {
        client_id: PUBLIC_CLIENT_ID,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: USER_GRANTS,
        response_types: ['code'],
        redirect_uris: LOOPBACK_REDIRECTS,
      },
      {
        client_id: CONFIDENTIAL_CLIENT.id,
        client_secret: CONFIDENTIAL_CLIENT.secret,
        application_type: 'native',
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: [...USER_GRANTS, 'client_credentials'],
        response_types: ['code'],
        redirect_uris: LOOPBACK_REDIRECTS,
      },
    ],
    scopes: [...SCOPES],
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email', 'email_verified'] },
    findAccount: (_ctx, sub) => findAccount(users, sub),
    routes: ROUTES,
    // No offline_access-and-consent dance: whoever may refresh gets a refresh token.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    interactions: { url: (_ctx, interaction) => interactionPath(interaction.uid) },
    clientBasedCORS: () => false,
    ttl: {
      AccessToken: () => lifetimes.accessToken,
      ClientCredentials: () => lifetimes.accessToken,
      RefreshToken: () => lifetimes.refreshToken,
      DeviceCode: () => lifetimes.deviceCode,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 3600,
      Session: 86_400,
      // A grant outlives its refresh tokens, or refreshing would fail on a missing grant.
      Grant: () => Math.max(lifetimes.refreshToken, 14 * 86_400),
    },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = errorPage(out.error, out.error_description);
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true, allowedPolicy: () => true },
      revocation: { enabled: true },
      deviceFlow: {
        enabled: true,
        userCodeInputSource: (ctx, form, _out, err) => {
          ctx.type = 'html';
          ctx.body = deviceInputPage(form, err ? (DEVICE_INPUT_ERRORS[err.name] ?? { kind: 'error', message: err.message }) : undefined);
        },
        userCodeConfirmSource: (ctx, form, client, _deviceInfo, userCode) => {
          ctx.type = 'html';
          ctx.body = deviceConfirmPage(form, client.clientId, userCode);
        },
        successSource: (ctx) => {
          ctx.type = 'html';
          ctx.body = deviceSuccessPage(ctx.oidc.client?.clientId ?? '');
        },
      },
    },
  };
}
