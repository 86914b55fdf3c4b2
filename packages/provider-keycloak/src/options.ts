import { z } from 'zod';

/** kdb Insights Enterprise's realm, the default like `ClientManager(realm='insights')`. */
export const DEFAULT_REALM = 'insights';

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
});

export type KeycloakSettings = z.infer<typeof keycloakOptions>;
