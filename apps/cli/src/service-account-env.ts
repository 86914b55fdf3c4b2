/**
 * The service account from the environment: authctl's own variables, else
 * the kdb Insights CLI's (`kxi auth login --serviceaccount` reads
 * KXI_SERVICEACCOUNT_ID and KXI_SERVICEACCOUNT_SECRET), so scripts written
 * for kxi (and, for the secret, kms) keep working.
 */

/** Client id of the service account: AUTHCTL_SERVICE_ACCOUNT_ID, else KXI_SERVICEACCOUNT_ID; wins over the profile's. */
export function envServiceAccountId(env: NodeJS.ProcessEnv): string | undefined {
  return env.AUTHCTL_SERVICE_ACCOUNT_ID || env.KXI_SERVICEACCOUNT_ID || undefined;
}

/**
 * Its secret: AUTHCTL_CLIENT_SECRET, else KXI_SERVICEACCOUNT_SECRET, else
 * the kms (Infisical CLI) universal-auth secret INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET.
 */
export function envClientSecret(env: NodeJS.ProcessEnv): string | undefined {
  return env.AUTHCTL_CLIENT_SECRET || env.KXI_SERVICEACCOUNT_SECRET || env.INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET || undefined;
}
