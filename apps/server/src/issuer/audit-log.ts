import { userInfo } from 'node:os';
import type { Logger } from 'pino';
import type { CredentialCheck } from '../guard/lockout.js';
import { createLogger } from '../logging/logger.js';

/** A change an operator made with `auth-server identities …` or `auth-server keys …`: ids and settings, never the secret or key. */
export type AdminChange =
  | { audit: 'secret_added'; identity: string; client_id: string; secret_id: string; uses_limit?: number; ttl?: number }
  | { audit: 'secret_revoked'; identity: string; client_id: string; secret_id: string }
  | { audit: 'key_rotated' | 'key_retired'; kid: string; store: string };

/** Who ran an admin command: the OS account (a uid where it has no name). */
function actor(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid:${process.getuid?.() ?? 'unknown'}`;
  }
}

/**
 * The audit trail: structured log lines with `audit` set to what happened,
 * so a log pipeline can route them apart from request logs. They name who
 * (a client id, or the hash the lockout keeps for an account or machine id),
 * from where, and the outcome; never a password, secret, code or token.
 */
export class AuditLog {
  constructor(private readonly logger: Logger) {}

  /** The audit log of an admin command: JSON lines on stderr, beside its human messages. */
  static forAdminCommand(): AuditLog {
    return new AuditLog(createLogger({ level: 'info' }));
  }

  adminChanged(change: AdminChange): void {
    this.logger.info({ ...change, actor: actor(), pid: process.pid }, 'admin change');
  }

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
