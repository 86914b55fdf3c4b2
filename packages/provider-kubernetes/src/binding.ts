import { z } from 'zod';

/**
 * A list that names who may log in: never empty and never a bare wildcard (a
 * role that binds nobody in particular binds everybody); globs such as `team-*`
 * are fine.
 */
const allowList = (what: string) =>
  z
    .array(z.string().trim().min(1))
    .min(1, { error: `must name at least one ${what}` })
    .refine((entries) => !entries.some((entry) => /^\*+$/.test(entry)), { error: `must name ${what}s, not "*"` });

/** What an identity's `kubernetes-auth` configuration binds a login to. */
export const kubernetesBinding = z
  .strictObject({
    /** The API server, e.g. `https://10.0.0.1:6443`: TokenReview and issuer discovery are asked there. */
    kubernetes_host: z.url(),
    /** PEM CA certificate(s) of the API server, when its certificate is not publicly trusted. */
    ca_cert: z.string().includes('-----BEGIN CERTIFICATE-----', { error: 'must be PEM certificate(s)' }).optional(),
    /** A token allowed to create TokenReviews (system:auth-delegator); without one, the login token reviews itself. */
    token_reviewer_jwt: z.string().min(1).optional(),
    /** Namespaces (exact or glob) the service account may be in. */
    allowed_namespaces: allowList('namespace'),
    /** Service account names (exact or glob); none: any in the allowed namespaces. */
    allowed_names: allowList('service account name').optional(),
    /** The audience the token must have been minted for: sent in the TokenReview and required back in `status.audiences`. */
    allowed_audience: z.string().min(1).optional(),
    /** `token-review` (default): the API server decides, and knows deleted pods and accounts. `jwks`: offline, against the issuer's keys. */
    mode: z.enum(['token-review', 'jwks']).default('token-review'),
    /** jwks mode: the keys and issuer (default: from `<kubernetes_host>/.well-known/openid-configuration`). */
    jwks_url: z.url().optional(),
    issuer: z.string().min(1).optional(),
  })
  .superRefine((binding, ctx) => {
    if (binding.mode === 'jwks') {
      // Offline, nothing else stops a token minted for the API server itself from being replayed here.
      if (binding.allowed_audience === undefined) ctx.addIssue({ code: 'custom', path: ['allowed_audience'], message: 'is required with mode = "jwks"' });
      if (binding.token_reviewer_jwt !== undefined) ctx.addIssue({ code: 'custom', path: ['token_reviewer_jwt'], message: 'is only used with mode = "token-review"' });
    } else {
      for (const key of ['jwks_url', 'issuer'] as const) {
        if (binding[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'is only used with mode = "jwks"' });
      }
    }
  });

export type KubernetesBinding = z.infer<typeof kubernetesBinding>;
