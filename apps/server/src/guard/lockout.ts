import { createHash } from 'node:crypto';
import { clientAddressKey } from './client-address.js';
import type { LockoutPolicy } from './lockout-policy.js';
import type { LockoutStore } from './lockout-store.js';

/** Whose credential is being checked: a person's account, a confidential client or a machine identity's login method. */
export type LockoutSubject = `account:${string}` | `client:${string}` | `machine:${string}`;

/**
 * Usernames are counted case- and width-insensitively (`Demo`, `ｄｅｍｏ` and
 * `demo` share one count) and hashed, so the store holds no usernames,
 * only fixed-size keys, whether the account exists or not.
 */
export function accountSubject(username: string): LockoutSubject {
  const normalised = username.normalize('NFKC').trim().toLowerCase();
  return `account:${createHash('sha256').update(normalised).digest('base64url')}`;
}

export function clientSubject(clientId: string): LockoutSubject {
  return `client:${clientId}`;
}

/** One login method of one machine identity, named by its already-normalised id (hashed: the id comes from the request). */
export function machineSubject(loginMethod: string, normalisedId: string): LockoutSubject {
  return `machine:${loginMethod}:${createHash('sha256').update(normalisedId).digest('base64url')}`;
}

export interface LockoutPolicies {
  /** Per account and per client. */
  subject: LockoutPolicy;
  /** Per client address, over every account and client it tries. */
  address: LockoutPolicy;
}

const addressKey = (ip: string) => `address:${clientAddressKey(ip)}`;

export type Admission = 'admitted' | 'subject locked' | 'address locked';

/** One settled credential check, as metrics and the audit log see it: who (never the credential), from where, and how it went. */
export type CredentialCheck = {
  kind: 'account' | 'client' | 'machine';
  /** `password`, `client_secret`, or the machine login method. */
  method: string;
  /** The client id; for accounts and machine ids, the store's hash of the name (what was typed is not repeated). */
  subject: string;
  address: string;
} & ({ result: 'success' | 'failure' } | { result: 'locked'; lock: 'subject' | 'address' });

function describe(subject: LockoutSubject): Pick<CredentialCheck, 'kind' | 'method' | 'subject'> {
  const [kind, ...rest] = subject.split(':');
  if (kind === 'client') return { kind, method: 'client_secret', subject: rest.join(':') };
  if (kind === 'machine') return { kind, method: rest[0]!, subject: rest.slice(1).join(':') };
  return { kind: 'account', method: 'password', subject: rest.join(':') };
}

/**
 * Rate limits password and client-secret checks: each check is admitted
 * only while neither its subject nor the address it comes from is locked,
 * and is then settled: `failed` (a wrong credential counts against both),
 * `succeeded` (clears its subject's failures, but not its address's: an
 * address could otherwise sign in to its own account between guesses at
 * others) or `abandoned` (the check could not be made: no failure).
 */
export class Lockout {
  constructor(
    private readonly store: LockoutStore,
    private readonly policies: LockoutPolicies,
    private readonly now: () => number = Date.now,
    /** Told of every check that succeeded, failed or was refused as locked (metrics, the audit log). */
    private readonly observe: (check: CredentialCheck) => void = () => {},
  ) {}

  async admit(subject: LockoutSubject, address: string): Promise<Admission> {
    return (await this.admitUntil(subject, address)).admission;
  }

  /** As `admit`, with the epoch ms a refused attempt may be retried at (for `Retry-After`). */
  async admitUntil(subject: LockoutSubject, address: string): Promise<{ admission: Admission; lockedUntil?: number }> {
    const now = this.now();
    const byAddress = await this.store.attempt(addressKey(address), now, this.policies.address);
    if (!byAddress.admitted) {
      this.observe({ ...describe(subject), address, result: 'locked', lock: 'address' });
      return { admission: 'address locked', lockedUntil: byAddress.lockedUntil };
    }
    const bySubject = await this.store.attempt(subject, now, this.policies.subject);
    if (!bySubject.admitted) {
      // Knocking at a locked account still counts against the address that does it.
      await this.store.fail(addressKey(address), now);
      this.observe({ ...describe(subject), address, result: 'locked', lock: 'subject' });
      return { admission: 'subject locked', lockedUntil: bySubject.lockedUntil };
    }
    return { admission: 'admitted' };
  }

  async failed(subject: LockoutSubject, address: string): Promise<void> {
    const now = this.now();
    await this.store.fail(subject, now);
    await this.store.fail(addressKey(address), now);
    this.observe({ ...describe(subject), address, result: 'failure' });
  }

  async succeeded(subject: LockoutSubject, address: string): Promise<void> {
    await this.store.clear(subject);
    await this.store.release(addressKey(address));
    this.observe({ ...describe(subject), address, result: 'success' });
  }

  async abandoned(subject: LockoutSubject, address: string): Promise<void> {
    await this.store.release(subject);
    await this.store.release(addressKey(address));
  }
}
