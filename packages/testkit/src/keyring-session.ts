import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `bin/with-keyring.sh CMD [ARG...]`: runs CMD inside a private D-Bus session with an unlocked (or, with
 * KEYRING_STATE=locked, locked) gnome-keyring kept in KEYRING_DIR. Resolved from both src/ and dist/.
 */
export const keyringScript: string = fileURLToPath(new URL('../bin/with-keyring.sh', import.meta.url));

export interface KeyringSession {
  /** The private session bus: put it in DBUS_SESSION_BUS_ADDRESS. */
  address: string;
  /** `secret-tool ARGS` on this session's bus. */
  secretTool(args: string[], input?: string): { code: number | null; stdout: string };
  stop(): Promise<void>;
}

/**
 * A private Secret Service that lives until `stop`: the wrapper prints its
 * bus address, then waits on stdin. Real gnome-keyring, real D-Bus.
 */
export async function startKeyringSession(state: 'unlocked' | 'locked' = 'unlocked'): Promise<KeyringSession> {
  const dir = await mkdtemp(join(tmpdir(), 'authctl-keyring-'));
  const env = { ...process.env, KEYRING_DIR: dir, KEYRING_STATE: state };
  const child = spawn(keyringScript, ['sh', '-c', 'echo "$DBUS_SESSION_BUS_ADDRESS"; exec cat >/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  let errors = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
  child.stdout.setEncoding('utf8');
  const address = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('\n')) resolve(output.trim());
    });
    child.on('exit', (code) => reject(new Error(`${keyringScript} exited (${code}) before printing the bus address: ${errors}`)));
  });
  return {
    address,
    secretTool(args, input) {
      const run = spawnSync('secret-tool', args, { env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: address }, input: input ?? '', encoding: 'utf8' });
      if (run.error) throw run.error;
      return { code: run.status, stdout: run.stdout };
    },
    async stop() {
      if (child.exitCode === null) {
        child.stdin.end();
        await once(child, 'exit');
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
