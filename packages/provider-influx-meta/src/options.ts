import { z } from 'zod';

/** Profile keys of an `influx-meta` profile. */
export const influxMetaOptions = z.object({
  /** `[profiles.NAME.admin]`: the admin user; its password is never stored (AUTHCTL_ADMIN_PASSWORD, stdin or a prompt). */
  admin: z
    .strictObject({ username: z.string({ error: 'must be a non-empty string' }).min(1, { error: 'must be a non-empty string' }) }, { error: 'must be a table ([profiles.NAME.admin])' })
    .optional(),
  /** Enterprise: a meta node, best the lead one (`https://meta-0.example:8091`); OSS 1.x: the InfluxDB HTTP API (`:8086`). */
  url: z.url({ error: 'must be an absolute http(s) URL (url = "https://meta-0.example:8091")' }),
  /** `enterprise`: the meta API; `oss`: InfluxQL on an InfluxDB OSS 1.x server. */
  mode: z.enum(['enterprise', 'oss']).default('enterprise'),
  /**
   * `basic`: the admin user and password; `jwt`: an HS512 JWT for the admin
   * user signed with the shared secret from AUTHCTL_INFLUX_SHARED_SECRET.
   */
  auth: z.enum(['basic', 'jwt']).default('basic'),
  /** Client certificate (PEM) and its key, when the server asks for one (Kapacitor's meta-cert, meta-key); the CA is core's `ca_file`. */
  cert_file: z.string().min(1).optional(),
  key_file: z.string().min(1).optional(),
  /** Accept any server certificate (Kapacitor's meta-insecure-skip-verify). */
  insecure_skip_verify: z.boolean().default(false),
});

export type InfluxMetaSettings = z.infer<typeof influxMetaOptions>;

/** Where the shared secret of `auth = "jwt"` is read: never argv, never the config file. */
export const SHARED_SECRET_ENV = 'AUTHCTL_INFLUX_SHARED_SECRET';
/** Where a new user's password may come from, besides `--password-stdin` and the prompt. */
export const NEW_PASSWORD_ENV = 'AUTHCTL_NEW_PASSWORD';
