import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Left in the state folder once the keyring fallback has been announced there. */
export const FALLBACK_NOTICE_FILE = 'keyring-warning-shown';

/**
 * The keyring fallback is announced once per state folder (in effect, once
 * per machine and user), not on every command that writes a new credential:
 * a marker file remembers it. A marker that cannot be written only means the
 * warning comes again.
 */
export function announceOnce(storePath: string, announce: () => void): void {
  const marker = join(storePath, FALLBACK_NOTICE_FILE);
  if (existsSync(marker)) return;
  announce();
  try {
    mkdirSync(storePath, { recursive: true, mode: 0o700 });
    writeFileSync(marker, 'authctl showed its "no usable OS keyring" warning here; delete this file to see it again.\n', { mode: 0o600 });
  } catch {
    // Best effort: see above.
  }
}

/** The keyring works again: a later fallback is news, and is announced again. */
export function forgetAnnouncement(storePath: string): void {
  rmSync(join(storePath, FALLBACK_NOTICE_FILE), { force: true });
}
