import { randomBytes } from 'node:crypto';

/** What polling a device code found (RFC 8628 §3.5), before a double words it its own way. */
export type PollOutcome =
  | { state: 'pending' | 'slow_down' | 'expired' | 'denied' | 'unknown' }
  | { state: 'approved'; grant: DeviceGrant };

export interface DeviceGrant {
  clientId: string;
  scope: string;
  /** Extra request parameters the device request carried (e.g. `audience`). */
  parameters: Record<string, string>;
  subject: string;
}

interface Pending extends Omit<DeviceGrant, 'subject'> {
  userCode: string;
  expiresAt: number;
  subject?: string;
  denied?: boolean;
  redeemed?: boolean;
}

/**
 * The state machine behind a double's device authorization endpoint. There
 * are no pages to drive: tests approve, deny or expire a code directly.
 */
export class DeviceAuthorizations {
  private readonly byDeviceCode = new Map<string, Pending>();
  private slowDowns = 0;

  constructor(readonly lifetimeSeconds: number) {}

  create(clientId: string, scope: string, parameters: Record<string, string>): { device_code: string; user_code: string } {
    const device_code = randomBytes(24).toString('base64url');
    const letters = randomBytes(8).toString('hex').toUpperCase();
    const user_code = `${letters.slice(0, 4)}-${letters.slice(4, 8)}`;
    this.byDeviceCode.set(device_code, {
      clientId,
      scope,
      parameters,
      userCode: user_code,
      expiresAt: Date.now() + this.lifetimeSeconds * 1000,
    });
    return { device_code, user_code };
  }

  /** The person approves `userCode` as `subject`. */
  approve(userCode: string, subject: string): void {
    this.find(userCode).subject = subject;
  }

  deny(userCode: string): void {
    this.find(userCode).denied = true;
  }

  /** Ends the code's lifetime now. */
  expire(userCode: string): void {
    this.find(userCode).expiresAt = 0;
  }

  /** The next `count` polls get slow_down. */
  slowDownNext(count: number): void {
    this.slowDowns += count;
  }

  poll(deviceCode: string, clientId: string): PollOutcome {
    const pending = this.byDeviceCode.get(deviceCode);
    if (pending === undefined || pending.clientId !== clientId || pending.redeemed) return { state: 'unknown' };
    if (Date.now() >= pending.expiresAt) return { state: 'expired' };
    if (pending.denied) return { state: 'denied' };
    if (this.slowDowns > 0) {
      this.slowDowns -= 1;
      return { state: 'slow_down' };
    }
    if (pending.subject === undefined) return { state: 'pending' };
    pending.redeemed = true;
    return {
      state: 'approved',
      grant: { clientId: pending.clientId, scope: pending.scope, parameters: pending.parameters, subject: pending.subject },
    };
  }

  /** Forgets a code (e.g. after an IdP reported its expiry once). */
  forget(deviceCode: string): void {
    this.byDeviceCode.delete(deviceCode);
  }

  private find(userCode: string): Pending {
    for (const pending of this.byDeviceCode.values()) if (pending.userCode === userCode) return pending;
    throw new Error(`no device authorization with user code ${userCode}`);
  }
}
