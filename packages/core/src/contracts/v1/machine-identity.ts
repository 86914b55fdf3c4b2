import type { ZodType } from 'zod';
import type { ProfileLocation, ProviderIO } from './provider.js';

/**
 * Machine identities: a workload proves who it is with its platform's
 * identity (a signed STS request, a cloud or Kubernetes token) and a login
 * API exchanges that proof for a short-lived access token. The wire format
 * is Infisical's machine-identity login API (`POST /api/v1/auth/<method>/login`,
 * https://infisical.com/docs/api-reference/endpoints), which auth-server
 * serves and `authctl login --method` speaks.
 *
 * A provider implements either side, or both: `proof` runs on the machine,
 * `verify` runs in the login API.
 */

/** What a machine sends to a login API: the method's path segment and the body of its login request. */
export interface MachineProof {
  /** `aws-auth`, `gcp-auth`, `azure-auth`, `kubernetes-auth`, `oidc-auth`, `jwt-auth`, … */
  readonly loginMethod: string;
  /** The login request's fields, in the login API's names (`identityId`, `jwt`, `iamRequestBody`, …). */
  readonly body: Readonly<Record<string, string>>;
}

export interface ProofRequest<Settings = Record<string, unknown>> extends ProfileLocation {
  /** The `authctl login --method` value asked for: one of the capability's `methods`. */
  method: string;
  /** The profile's settings (the provider's option schema). */
  settings: Settings;
  /** The machine identity's id (`--machine-identity-id`), for methods that name one. */
  identityId?: string;
  /** The login API the proof is for (its base URL); a proof may bind itself to it, as aws-iam's server-id header does. */
  loginUrl?: string;
  /** Method options from flags or the environment, in kebab-case flag names (`service-account-token-path`, `jwt`, …). */
  options: Readonly<Record<string, string>>;
  /** Where credentials chains and platform variables are read; never `process.env` directly. */
  env: Readonly<Record<string, string | undefined>>;
  /** Bounded fetch (timeout, size limit) for metadata servers and token endpoints. */
  io: ProviderIO;
}

export interface ProofCapability<Settings = Record<string, unknown>> {
  readonly specificationVersion: 'v1';
  /** The `--method` values this provider proves, in kms's names (`aws-iam`, `gcp-id-token`, `gcp-iam`, `azure`, `kubernetes`, …). */
  readonly methods: readonly string[];
  prove(request: ProofRequest<Settings>): Promise<MachineProof>;
}

/** Who a verified credential or proof belongs to. */
export interface Principal {
  /** Stable and unique within `provider`: an ARN, a service-account email, `system:serviceaccount:ns:name`, an object id, a `sub`. */
  subject: string;
  /** Who vouched for it: the STS endpoint, a token issuer, the Kubernetes API. */
  issuer: string;
  /** The verifying provider's id. */
  provider: string;
  /** What the proof said, for audit and policy (never a secret or the raw token). */
  claims: Readonly<Record<string, unknown>>;
  permissions: readonly string[];
}

export interface VerifyRequest<Binding = Record<string, unknown>> {
  /** The login method the request came in on (one of `loginMethods`). */
  loginMethod: string;
  /** The login request body as received (JSON or form-urlencoded): untrusted input. */
  body: Readonly<Record<string, unknown>>;
  /** The machine identity the login is for. */
  identityId: string;
  /** What the identity's configuration binds this method to (accounts, audiences, namespaces, …), already parsed by `bindingSchema`. */
  binding: Binding;
  /** Bounded fetch for STS, JWKS and TokenReview calls. */
  io: Pick<ProviderIO, 'fetch' | 'signal' | 'timeoutMs'>;
  /** Epoch seconds (tests inject a clock). */
  now(): number;
}

/**
 * Server side. `verify` throws an AuthError: `USAGE` for a malformed request
 * (answered 400), `ACCESS_DENIED` for a proof that does not hold or does not
 * match the binding (answered with one uniform 401 body; the message, which
 * says why, goes to the server log only), `NETWORK`/`TIMEOUT` when the
 * platform cannot be asked (answered 503).
 */
export interface VerifyCapability<Binding = Record<string, unknown>> {
  readonly specificationVersion: 'v1';
  /** The login API methods this provider verifies (`aws-auth`, …). */
  readonly loginMethods: readonly string[];
  /** The identity configuration keys of a login method; auth-server validates its config with it. */
  bindingSchema(loginMethod: string): ZodType<Binding>;
  verify(request: VerifyRequest<Binding>): Promise<Principal>;
}
