import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import { AuthError } from '../../src/errors.js';
import type { OAuthCredential } from '../../src/token-set.js';

const here = dirname(fileURLToPath(import.meta.url));
export const distDir = join(here, '../../dist');

/** Child processes import the built package: fail loudly when it is missing. */
export function builtDist(entry = 'index.js'): string {
  const file = join(distDir, entry);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`pnpm --filter @auth/core build\` first`);
  return file;
}

/** A fresh temp folder per test, removed afterwards. */
export function useTempDirs(): () => Promise<string> {
  const made: string[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'authctl-core-'));
    made.push(dir);
    return dir;
  };
}

export function oauthCredential(tokens: Partial<OAuthCredential['tokens']> = {}): OAuthCredential {
  const now = Math.floor(Date.now() / 1000);
  return {
    kind: 'oauth',
    flow: 'device',
    client_id: 'authctl',
    server: { issuer: 'http://127.0.0.1:8080', token_endpoint: 'http://127.0.0.1:8080/token' },
    tokens: {
      access_token: 'at-secret-value',
      token_type: 'Bearer',
      issued_at: now,
      expires_at: now + 3600,
      refresh_token: 'rt-secret-value',
      ...tokens,
    },
  };
}

export interface NodeChild {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with the first stdout line equal to `line`; rejects if the child exits first. */
  waitForLine(line: string): Promise<void>;
  /** Resolves with the exit code (or signal) and everything written to stderr. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** Runs a fixture script from test/stores/fixtures or test/config/fixtures with `node`. */
export function runFixture(script: string, args: string[]): NodeChild {
  builtDist();
  const child = spawn(process.execPath, [script, ...args], { stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  const waiters: Array<() => void> = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const check of waiters) check();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return {
    child,
    exited,
    waitForLine(line) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (stdout.split('\n').includes(line)) resolve();
        };
        waiters.push(check);
        check();
        void exited.then(({ code, signal }) =>
          reject(new Error(`${script} exited (${code ?? signal}) before printing "${line}": ${stderr}`)),
        );
      });
    },
  };
}

export function fixture(folder: 'stores' | 'config', name: string): string {
  return join(here, '..', folder, 'fixtures', name);
}

/** The AuthError `fn` throws; fails the test if it throws nothing or something else. */
export function thrownAuthError(fn: () => unknown): AuthError {
  try {
    fn();
  } catch (error) {
    if (AuthError.is(error)) return error;
    throw error;
  }
  throw new Error('expected an AuthError, nothing was thrown');
}

/** The AuthError `promise` rejects with; fails the test if it resolves or rejects with something else. */
export async function rejectedAuthError(promise: Promise<unknown>): Promise<AuthError> {
  return promise.then(
    () => {
      throw new Error('expected an AuthError, the promise resolved');
    },
    (error: unknown) => {
      if (AuthError.is(error)) return error;
      throw error;
    },
  );
}
