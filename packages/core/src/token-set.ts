import { z } from 'zod';
import { isAuthScheme, isB64Token } from './token/token-syntax.js';

/**
 * What a login or refresh produces. `expires_at` and `issued_at` are epoch
 * seconds. Basic credentials are never squeezed in here: see `Credential`.
 */
export const TokenSetSchema = z.object({
  access_token: z.string().refine(isB64Token),
  token_type: z.string().refine(isAuthScheme),
  expires_at: z.number().int().positive(),
  issued_at: z.number().int().positive().optional(),
  refresh_token: z.string().min(1).optional(),
  id_token: z.string().min(1).optional(),
  scope: z.string().optional(),
});

export type TokenSet = z.infer<typeof TokenSetSchema>;

export const FLOW_IDS = ['browser', 'code', 'device', 'client-credentials', 'password', 'refresh'] as const;
export type FlowId = (typeof FLOW_IDS)[number];

/**
 * How a stored credential was obtained: an OAuth flow, or `exchange`, a
 * machine identity's proof exchanged at a login API (see `machine/`).
 */
export const CREDENTIAL_FLOWS = [...FLOW_IDS, 'exchange'] as const;
export type CredentialFlow = (typeof CREDENTIAL_FLOWS)[number];

/** What an `exchange` credential needs later: renewal, silent login again, revocation. */
export const MachineRefSchema = z.object({
  /** The `--method` it logged in with (`universal-auth`, `aws-iam`, …). */
  method: z.string().min(1),
  /** The login API's base URL (`https://host/api`). */
  api: z.string(),
  /** After this (epoch seconds) the login API renews no more: the max TTL counted from the login. */
  max_expires_at: z.number().int().positive().optional(),
});
export type MachineRef = z.infer<typeof MachineRefSchema>;

/** The endpoints a stored token needs later (refresh, revocation) without discovery. */
export const ServerRefSchema = z.object({
  issuer: z.string().optional(),
  token_endpoint: z.string(),
  revocation_endpoint: z.string().optional(),
});
export type ServerRef = z.infer<typeof ServerRefSchema>;

/**
 * Everything a credential store holds, one value per key.
 * - `oauth`: a token set with what is needed to refresh and revoke it (also a
 *   machine identity's token, `flow: 'exchange'`, with `machine`).
 * - `basic`: a username and password (Kapacitor, InfluxDB).
 * - `secret`: a client secret saved by `authctl configure` for a service account.
 */
export const CredentialSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('oauth'),
    tokens: TokenSetSchema,
    flow: z.enum(CREDENTIAL_FLOWS),
    /** The OAuth client, or for `exchange` the machine identity's client id or identity id. */
    client_id: z.string(),
    server: ServerRefSchema,
    subject: z.string().optional(),
    /** Who logged in, as `authctl user list` names them (see session/identity-name.ts). */
    identity: z.string().min(1).optional(),
    /**
     * When the IdP refused the refresh token (epoch seconds); the token is then
     * dropped, so processes that waited on the refresh fail at once instead of
     * redeeming it again.
     */
    refresh_rejected_at: z.number().int().positive().optional(),
    /** Only for `exchange`: where and how it renews. Optional, so credentials stored before it read as they did. */
    machine: MachineRefSchema.optional(),
  }),
  z.object({ kind: z.literal('basic'), username: z.string(), password: z.string() }),
  z.object({ kind: z.literal('secret'), value: z.string().min(1) }),
]);

export type Credential = z.infer<typeof CredentialSchema>;
export type OAuthCredential = Extract<Credential, { kind: 'oauth' }>;
export type BasicCredential = Extract<Credential, { kind: 'basic' }>;

/** Credential store key of a profile's token. */
export function tokenKey(profile: string): string {
  return profile;
}

/** Credential store key of a profile's service-account client secret. */
export function clientSecretKey(profile: string): string {
  return `${profile}#client_secret`;
}
