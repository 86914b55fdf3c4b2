import { AuthError, platformFetch, type Principal, type VerifyRequest } from '@auth/core/provider';
import { z } from 'zod';
import type { KubernetesBinding } from './binding.js';
import { denied } from './denied.js';
import { parseServiceAccount, refusal, usernameOf } from './service-account.js';

const REVIEW = z.object({
  status: z.object({
    authenticated: z.boolean().optional(),
    error: z.string().optional(),
    user: z.object({ username: z.string().optional(), uid: z.string().optional(), groups: z.array(z.string()).optional() }).optional(),
    audiences: z.array(z.string()).optional(),
  }),
});

/**
 * Kubernetes API reference, TokenReview (authentication.k8s.io/v1): the API
 * server checks the token's signature, expiry, audiences and that its service
 * account (and pod) still exist. The bound audience is sent in `spec.audiences`
 * and required back in `status.audiences` (vault-plugin-auth-kubernetes #175).
 */
export async function tokenReview(jwt: string, binding: KubernetesBinding, io: VerifyRequest['io']): Promise<Principal> {
  const url = `${binding.kubernetes_host.replace(/\/+$/, '')}/apis/authentication.k8s.io/v1/tokenreviews`;
  const spec = { token: jwt, ...(binding.allowed_audience === undefined ? {} : { audiences: [binding.allowed_audience] }) };
  const response = await platformFetch(
    io,
    url,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${binding.token_reviewer_jwt ?? jwt}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec }),
      redirect: 'manual',
    },
    'the Kubernetes API',
    'check kubernetes_host and ca_cert of the identity',
  );
  const body: unknown = await response.json().catch(() => undefined);
  if (response.status === 401 || response.status === 403) {
    const said = typeof (body as { message?: unknown } | undefined)?.message === 'string' ? `: ${(body as { message: string }).message.slice(0, 300)}` : '';
    denied(
      binding.token_reviewer_jwt === undefined
        ? `the API server refused the login token as its own credential for the TokenReview (HTTP ${response.status}${said}); ` +
            'without token_reviewer_jwt the login token must be valid for the API server and may create tokenreviews'
        : `the API server refused token_reviewer_jwt (HTTP ${response.status}${said}); bind it to system:auth-delegator`,
    );
  }
  const review = REVIEW.safeParse(body);
  if (!response.ok || !review.success) {
    throw new AuthError('NETWORK', `The Kubernetes API at ${url} did not answer with a TokenReview (HTTP ${response.status})`, {
      url,
      status: response.status,
      hint: 'check kubernetes_host of the identity: it must be the API server',
    });
  }
  const { status } = review.data;
  if (status.error) denied(`the TokenReview failed: ${status.error.slice(0, 300)}`);
  if (status.authenticated !== true) denied('the API server did not authenticate the token');
  if (binding.allowed_audience !== undefined && !(status.audiences ?? []).includes(binding.allowed_audience)) {
    denied(`the token is not valid for the audience ${binding.allowed_audience} (status.audiences ${JSON.stringify(status.audiences ?? [])})`);
  }
  const account = parseServiceAccount(status.user?.username);
  if (account === undefined) denied(`the token belongs to ${JSON.stringify(status.user?.username)}, not a service account`);
  const refused = refusal(account, binding);
  if (refused !== undefined) denied(refused);
  return {
    subject: usernameOf(account),
    issuer: binding.kubernetes_host,
    provider: 'kubernetes',
    claims: {
      namespace: account.namespace,
      name: account.name,
      ...(status.user?.uid === undefined ? {} : { uid: status.user.uid }),
      ...(status.audiences === undefined ? {} : { audiences: status.audiences }),
    },
    permissions: [],
  };
}
