import { spawn } from 'node:child_process';
import { AUTHCTL, type Sandbox } from './sandbox.js';

/** authctl on a real pseudo-terminal, its output kept byte for byte (escape codes included). */
export interface RawTerminal {
  /** Everything the terminal has shown so far. */
  readonly output: () => string;
  /** Resolves with the first match of `pattern` in the output after `from` (default 0), failing after `timeoutMs`. */
  waitFor(pattern: RegExp, options?: { from?: number; timeoutMs?: number }): Promise<RegExpExecArray>;
  done: Promise<{ code: number | null; output: string }>;
}

/**
 * Runs authctl under util-linux `script`, so stdin, stdout and stderr are a
 * terminal, and keeps what the terminal shows unfiltered (Sandbox's
 * startInTerminal strips escape codes, which these tests are about).
 */
export function startInRawTerminal(sandbox: Sandbox, args: string[], env: NodeJS.ProcessEnv = {}): RawTerminal {
  const command = [process.execPath, AUTHCTL, ...args].map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    env: sandbox.env({ SHELL: '/bin/sh', TERM: 'xterm', COLUMNS: '120', LINES: '60', ...env }),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    output += chunk;
    for (const listener of listeners) listener();
  });
  const done = new Promise<{ code: number | null; output: string }>((resolve) => {
    child.on('close', (code) => {
      for (const listener of listeners) listener();
      resolve({ code, output });
    });
  });
  let closed = false;
  void done.then(() => {
    closed = true;
  });

  return {
    output: () => output,
    done,
    waitFor(pattern, { from = 0, timeoutMs = 20_000 } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = new RegExp(pattern.source, pattern.flags.replace('g', '')).exec(output.slice(from));
          if (found) {
            found.index += from;
            finish();
            resolve(found);
          } else if (closed) {
            finish();
            reject(new Error(`authctl exited before ${pattern} appeared; the terminal showed:\n${JSON.stringify(output)}`));
          }
        };
        const timer = setTimeout(() => {
          finish();
          child.kill('SIGKILL');
          reject(new Error(`${pattern} did not appear within ${timeoutMs} ms; the terminal showed:\n${JSON.stringify(output)}`));
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
  };
}
