/**
 * `AUTHCTL_TOKEN`: an access token handed in by the environment (a CI job, a
 * parent process), used by print-token, exec and token exec-credential
 * instead of the credential store. Imported by the start-up hot path, so it
 * stays dependency-free.
 */
export function envToken(env: NodeJS.ProcessEnv): { access_token: string; token_type: string } | undefined {
  const token = env.AUTHCTL_TOKEN?.trim();
  return token ? { access_token: token, token_type: 'Bearer' } : undefined;
}

/** Said on stderr whenever AUTHCTL_TOKEN is used, unless `--silent`: a stale override is otherwise hard to spot. */
export const ENV_TOKEN_NOTICE = 'authctl: using the access token from AUTHCTL_TOKEN instead of the credential store';
