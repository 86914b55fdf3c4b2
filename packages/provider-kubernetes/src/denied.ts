import { AuthError } from '@auth/core/provider';

/** A proof that does not hold or does not match the binding: one uniform 401 outside, the reason in the server log. */
export function denied(reason: string, cause?: unknown): never {
  throw new AuthError('ACCESS_DENIED', `Kubernetes login refused: ${reason}`, cause === undefined ? {} : { cause });
}
