import { AuthError, boundedFetch, type MachineProof, type Principal } from '@auth/core';
import type { AwsStsDouble, StsCredentials } from '@auth/testkit';
import { awsIam, type AwsAuthBinding, type AwsIamSettings } from '../src/index.js';

export const FILE = '/home/ci/.config/authctl/config.toml';
export const SERVER_ID = 'auth.example.com';
export const IDENTITY_ID = '7f0c2a9e-4b1d-4c8e-9d3a-2e5f6a7b8c9d';

export function keysEnv(credentials: StsCredentials): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ...(credentials.sessionToken === undefined ? {} : { AWS_SESSION_TOKEN: credentials.sessionToken }),
  };
}

/** The proof `authctl login --method aws-iam` would send, signed for the double. */
export function prove(
  sts: AwsStsDouble,
  options: { env?: Record<string, string | undefined>; settings?: AwsIamSettings; loginUrl?: string; identityId?: string } = {},
): Promise<MachineProof> {
  return awsIam.proof!.prove({
    method: 'aws-iam',
    profile: 'ci',
    file: FILE,
    settings: options.settings ?? { region: sts.region, sts_endpoint: sts.url, server_id: SERVER_ID },
    identityId: options.identityId ?? IDENTITY_ID,
    ...(options.loginUrl === undefined ? {} : { loginUrl: options.loginUrl }),
    options: {},
    env: options.env ?? keysEnv(sts.credentials),
    io: { fetch: boundedFetch(fetch, { timeoutMs: 5000 }), signal: new AbortController().signal, timeoutMs: 5000, allowInsecureHttp: true, env: {} },
  });
}

export function bindingFor(sts: AwsStsDouble, binding: Partial<AwsAuthBinding> = {}): AwsAuthBinding {
  return awsIam.verify!.bindingSchema('aws-auth').parse({
    region: sts.region,
    sts_endpoint: sts.url,
    server_id: SERVER_ID,
    allowed_account_ids: [sts.account],
    ...binding,
  }) as AwsAuthBinding;
}

/** What auth-server's login API does with an aws-auth login body. */
export function verify(body: Readonly<Record<string, unknown>>, binding: AwsAuthBinding, timeoutMs = 5000, identityId = IDENTITY_ID): Promise<Principal> {
  return awsIam.verify!.verify({
    loginMethod: 'aws-auth',
    body,
    identityId,
    binding,
    io: { fetch: boundedFetch(fetch, { timeoutMs }), signal: new AbortController().signal, timeoutMs },
    now: () => Math.floor(Date.now() / 1000),
  });
}

export function decodeHeaders(proof: MachineProof): Record<string, string> {
  return JSON.parse(Buffer.from(proof.body.iamRequestHeaders!, 'base64').toString('utf8')) as Record<string, string>;
}

/** The proof's body with its signed headers replaced by `change(headers)`. */
export function withHeaders(proof: MachineProof, change: (headers: Record<string, string>) => Record<string, string>): Record<string, string> {
  return { ...proof.body, iamRequestHeaders: Buffer.from(JSON.stringify(change(decodeHeaders(proof)))).toString('base64') };
}

export const base64 = (text: string): string => Buffer.from(text).toString('base64');

/** The AuthError `promise` rejects with (anything else fails the test). */
export async function rejection(promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!AuthError.is(error)) throw new Error(`expected an AuthError, got ${String(error)}`);
  return error;
}
