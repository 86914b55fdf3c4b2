import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built `auth-server` (turbo builds it before `test`). */
export const BINARY = fileURLToPath(new URL('../../dist/auth-server.js', import.meta.url));

function assertBuilt(): void {
  if (!existsSync(BINARY)) throw new Error(`${BINARY} is missing: run \`pnpm --filter @auth/server build\` first`);
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the binary to completion (for commands that exit). */
export function run(args: string[], { input, env }: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  assertBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BINARY, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

export interface RunningBinary {
  child: ChildProcess;
  issuer: string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stderr, as soon as it has been written. */
  stderrMatch(pattern: RegExp): Promise<RegExpExecArray>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
  exited: Promise<number | null>;
}

/** Starts a long-running `auth-server` and resolves on its `ready <issuer>` line. */
export function start(args: string[], { env }: { env?: NodeJS.ProcessEnv } = {}): Promise<RunningBinary> {
  assertBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BINARY, ...args], {
      env: { ...process.env, AUTH_SERVER_DEV_PASSWORD: '', AUTH_SERVER_DEV_CLIENT_SECRET: '', AUTH_SERVER_DEV_MACHINE_SECRET: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const ready = /^ready (\S+)$/m.exec(stdout);
      if (ready) {
        resolve({
          child,
          issuer: ready[1]!,
          stdout: () => stdout,
          stderr: () => stderr,
          stderrMatch: (pattern) =>
            new Promise((found, missing) => {
              const check = () => {
                const match = pattern.exec(stderr);
                if (!match) return;
                child.stderr!.off('data', check);
                found(match);
              };
              child.stderr!.on('data', check);
              exited.then(() => missing(new Error(`auth-server exited before writing ${pattern} to stderr:\n${stderr}`)));
              check();
            }),
          exited,
          stop: () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
    exited.then((code) => reject(new Error(`auth-server exited with ${code} before ready:\n${stderr}`)));
  });
}
