import type { Logger } from 'pino';
import type { CredentialCheck } from '../guard/lockout.js';

/**
 * The audit trail: structured log lines with `audit` set to what happened,
 * so a log pipeline can route them apart from request logs. They name who
 * (a client id, or the hash the lockout keeps for an account or machine id),
 * from where, and the outcome; never a password, secret, code or token.
 */
export class AuditLog {
  constructor(private readonly logger: Logger) {}

  credentialChecked({ kind, method, subject, address, result, ...rest }: CredentialCheck): void {
    const lock = 'lock' in rest ? { lock: rest.lock } : {};
    const fields = { audit: result === 'success' ? 'login' : 'login_denied', kind, method, subject, address, result, ...lock };
    if (result === 'success') this.logger.info(fields, 'credential accepted');
    else this.logger.warn(fields, result === 'locked' ? 'credential not checked: locked' : 'credential refused');
  }

  /** A rotation or retirement made elsewhere (`auth-server keys … --state`), now in effect here. */
  keysChanged(signingKid: string, verifyingKids: string[]): void {
    this.logger.info({ audit: 'keys_changed', signing_kid: signingKid, kids: verifyingKids }, 'key set changed');
  }
}
