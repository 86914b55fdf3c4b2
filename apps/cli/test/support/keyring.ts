import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyringScript } from '@auth/testkit';
import { AUTHCTL, type RunResult, type Sandbox } from './sandbox.js';

/**
 * Runs a command in a private D-Bus session with its own gnome-keyring
 * (unlocked, or locked with KEYRING_STATE=locked); @auth/core's keyring tests
 * use the same script, the testkit's.
 */
export const WITH_KEYRING = keyringScript;

export interface KeyringRunOptions {
  input?: string;
  env?: NodeJS.ProcessEnv;
  state?: 'unlocked' | 'locked';
}

/**
 * A gnome-keyring kept in its own folder (outside AUTHCTL_HOME). Each run
 * starts a fresh `dbus-run-session` on it, like a new login session; the
 * items persist in the folder between runs.
 */
export class TestKeyring {
  private constructor(readonly dir: string) {}

  static async create(): Promise<TestKeyring> {
    const dir = await mkdtemp(join(tmpdir(), 'authctl-keyring-'));
    await chmod(dir, 0o700);
    return new TestKeyring(dir);
  }

  /** The keyring service of a sandbox's credentials (core's `keyringPlace`). */
  static serviceOf(sandbox: Sandbox): string {
    return `authctl:${join(sandbox.home, 'state')}`;
  }

  /** The built authctl, in the sandbox's environment, inside a session with this keyring. */
  authctl(sandbox: Sandbox, args: string[], options: KeyringRunOptions = {}): Promise<RunResult> {
    return this.run([process.execPath, AUTHCTL, ...args], sandbox.env(options.env), options);
  }

  /** libsecret's `secret-tool` on this keyring: authctl's items as another program sees them. */
  secretTool(args: string[]): Promise<RunResult> {
    return this.run(['secret-tool', ...args], process.env, {});
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }

  private run(command: string[], env: NodeJS.ProcessEnv, options: KeyringRunOptions): Promise<RunResult> {
    const child = spawn(WITH_KEYRING, command, {
      env: { ...env, KEYRING_DIR: this.dir, KEYRING_STATE: options.state ?? 'unlocked' },
      stdio: 'pipe',
      // Its own process group, so a kill reaches the session's daemons and authctl too.
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdin.end(options.input ?? '');
    // A hang fails the test on its exit code rather than stalling the suite.
    const killer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 30_000);
    return new Promise((resolve) =>
      child.on('close', (code) => {
        clearTimeout(killer);
        resolve({ code, stdout, stderr });
      }),
    );
  }
}
