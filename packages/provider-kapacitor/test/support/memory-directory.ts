import type { DirectoryUser, UserDirectory } from '@auth/provider-influx-meta';
import bcrypt from 'bcryptjs';

/**
 * An in-memory `UserDirectory` standing in for an InfluxDB Enterprise meta
 * node's `GET /user?name=` (users with bcrypt hashes and permission maps) and
 * its `/authorized` password check for hashless (LDAP) users. Hashes are real
 * bcryptjs hashes at the minimum cost.
 */
export class MemoryDirectory implements UserDirectory {
  readonly url = 'http://meta.test:8091';
  readonly users = new Map<string, DirectoryUser>();
  /** Passwords the directory itself checks (users stored without a hash). */
  readonly ldapPasswords = new Map<string, string>();
  userCalls: string[] = [];
  checkCalls: string[] = [];
  /** While set, every call fails as an unreachable meta node would. */
  down = false;
  #held: Array<() => void> = [];
  #hold = false;

  addUser(name: string, password: string, permissions: Record<string, string[]> = {}, admin = false): void {
    this.users.set(name, { name, hash: bcrypt.hashSync(password, 4), admin, permissions });
  }

  addLdapUser(name: string, password: string, permissions: Record<string, string[]> = {}): void {
    this.users.set(name, { name, admin: false, permissions });
    this.ldapPasswords.set(name, password);
  }

  changePassword(name: string, password: string): void {
    const user = this.users.get(name);
    if (!user) throw new Error(`no user ${name}`);
    this.users.set(name, { ...user, hash: bcrypt.hashSync(password, 4) });
  }

  /** Holds `user()` answers until `release()`: lets a test start concurrent lookups before any completes. */
  hold(): void {
    this.#hold = true;
  }

  release(): void {
    this.#hold = false;
    for (const resume of this.#held.splice(0)) resume();
  }

  async user(name: string, signal: AbortSignal): Promise<DirectoryUser | undefined> {
    this.userCalls.push(name);
    if (this.#hold) await new Promise<void>((resolve) => this.#held.push(resolve));
    signal.throwIfAborted();
    if (this.down) throw new Error(`connect ECONNREFUSED ${this.url}`);
    return this.users.get(name);
  }

  async checkPassword(name: string, password: string, signal: AbortSignal): Promise<boolean> {
    this.checkCalls.push(name);
    signal.throwIfAborted();
    if (this.down) throw new Error(`connect ECONNREFUSED ${this.url}`);
    return this.ldapPasswords.get(name) === password;
  }
}
