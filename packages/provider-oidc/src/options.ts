import { z } from 'zod';

const url = z.url({ error: 'must be an absolute http(s) URL' });

/**
 * Profile keys of an `oidc` profile: an `issuer` to discover, or the
 * endpoints themselves (influxctl's `token_url` + `device_url`), never both.
 */
export const oidcOptions = z
  .object({
    issuer: url.optional(),
    authorization_url: url.optional(),
    token_url: url.optional(),
    device_url: url.optional(),
    revocation_url: url.optional(),
  })
  .superRefine((settings, ctx) => {
    if (settings.issuer !== undefined && settings.token_url !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['token_url'],
        message: 'cannot be set together with issuer: set issuer (discovery) or token_url (explicit endpoints), not both',
      });
    }
    if (settings.issuer === undefined && settings.token_url === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['issuer'],
        message: 'is required: set issuer (discovery) or token_url (explicit endpoints)',
      });
    }
    const explicitOnly = (['authorization_url', 'device_url', 'revocation_url'] as const).find(
      (key) => settings.issuer !== undefined && settings[key] !== undefined,
    );
    if (explicitOnly !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [explicitOnly],
        message: 'is discovered from issuer: remove it, or replace issuer with token_url',
      });
    }
  });

export type OidcSettings = z.infer<typeof oidcOptions>;
