import { AuthError } from '@auth/core';
import { isB64Token } from '@auth/core/cached-token';
import { envToken } from './env-token.js';

/** AUTHCTL_TOKEN for the full program: CONFIG_INVALID when it could not be sent as a Bearer token. */
export function checkedEnvToken(env: NodeJS.ProcessEnv): ReturnType<typeof envToken> {
  const override = envToken(env);
  if (override === undefined || isB64Token(override.access_token)) return override;
  // Never quoted: it is a secret, and may be crafted to forge output.
  throw new AuthError('CONFIG_INVALID', 'AUTHCTL_TOKEN has characters a Bearer token cannot have (RFC 6750 §2.1: no spaces, CR or LF)', {
    key: 'AUTHCTL_TOKEN',
    hint: 'set AUTHCTL_TOKEN to the access token alone, or unset it to use the credential store',
  });
}
