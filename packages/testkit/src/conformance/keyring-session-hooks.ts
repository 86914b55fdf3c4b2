import { afterAll, beforeAll } from 'vitest';
import { startKeyringSession, type KeyringSession } from '../keyring-session.js';

/**
 * One unlocked private Secret Service for the test file, started before its
 * tests and stopped after. The keyring helper process inherits
 * DBUS_SESSION_BUS_ADDRESS, so every keyring store in the file uses it.
 */
export function useKeyringSession(): () => KeyringSession {
  let session: KeyringSession | undefined;
  beforeAll(async () => {
    session = await startKeyringSession();
    process.env.DBUS_SESSION_BUS_ADDRESS = session.address;
  });
  afterAll(async () => {
    await session?.stop();
  });
  return () => session!;
}
