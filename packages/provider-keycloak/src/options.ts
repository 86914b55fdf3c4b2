import { z } from 'zod';

/** kdb Insights Enterprise's realm, the default like `ClientManager(realm='insights')`. */
export const DEFAULT_REALM = 'insights';

const nonEmpty = z.string({ error: 'must be a non-empty string' }).min(1, { error: 'must be a non-empty string' });

/** Profile keys of a `keycloak` profile. */
export const keycloakOptions = z.object({
  /** The Keycloak (or kdb Insights) base URL, e.g. `https://insights.example.com`. */
  url: z.url({ error: 'must be an absolute http(s) URL (url = "https://insights.example.com")' }),
  realm: z.string().min(1, { error: 'must not be empty' }).default(DEFAULT_REALM),
  /** `/auth` for Keycloak before version 17 (the WildFly distribution). */
  base_path: z
    .string()
    .regex(/^(\/[^/?#]+)*$/, { error: 'must be empty or a path like "/auth" (leading slash, no trailing slash)' })
    .default(''),
  /**
   * `[profiles.NAME.admin]`, for `authctl keycloak …`: with `username`, that
   * administrator logs in with a password (never stored) in `realm` (default
   * `master`) through `client_id` (default `admin-cli`), as kxi's `user`
   * command does; without it, the profile's own login administers (a person or
   * service account holding realm-management roles in the profile's realm).
   */
  admin: z
    .strictObject(
      { username: nonEmpty.optional(), realm: nonEmpty.optional(), client_id: nonEmpty.optional() },
      { error: 'must be a table ([profiles.NAME.admin])' },
    )
    .optional(),
});

export type KeycloakSettings = z.infer<typeof keycloakOptions>;
