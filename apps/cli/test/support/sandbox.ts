import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built binary: the tests exercise exactly what `bin: authctl` ships. */
export const AUTHCTL = fileURLToPath(new URL('../../dist/authctl.cjs', import.meta.url));

if (!existsSync(AUTHCTL)) {
  throw new Error(`${AUTHCTL} is missing: run \`pnpm --filter @auth/cli build\` (turbo runs it before the tests)`);
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to stdin, which is then closed. */
  input?: string;
  env?: NodeJS.ProcessEnv;
  /** Kill the process after this long; the test then fails on its exit code. */
  killAfterMs?: number;
}

/** A running authctl, watched while it runs. */
export interface RunningAuthctl {
  /** Resolves with the next whole stdout line that satisfies `match`. */
  nextLine(match?: (line: string) => boolean): Promise<string>;
  /** Resolves once the output on `stream` after the previous match matches `pattern` (expect-style). */
  expect(pattern: RegExp, stream?: 'stdout' | 'stderr'): Promise<string>;
  /** Writes to stdin (keeps it open). */
  write(text: string): void;
  /** Sends a signal to the process (SIGTERM to stop an agent, SIGKILL to crash it). */
  kill(signal: NodeJS.Signals): void;
  readonly pid: number;
  done: Promise<RunResult>;
}

/**
 * An isolated AUTHCTL_HOME in a temp folder (0700), and helpers to run the
 * built authctl in it as a child process. The environment is scrubbed of
 * the developer's own AUTHCTL_* and BROWSER settings.
 */
export class Sandbox {
  private constructor(readonly home: string) {}

  static async create(): Promise<Sandbox> {
    const home = await mkdtemp(join(tmpdir(), 'authctl-test-'));
    await chmod(home, 0o700);
    return new Sandbox(home);
  }

  get configFile(): string {
    return join(this.home, 'config.toml');
  }

  get credentialsDir(): string {
    return join(this.home, 'state', 'credentials');
  }

  /** The file store's file for a key (see core's credential-file.ts). */
  credentialFile(key: string): string {
    return join(this.credentialsDir, `${encodeURIComponent(key)}.json`);
  }

  async credentialFiles(): Promise<string[]> {
    return existsSync(this.credentialsDir) ? (await readdir(this.credentialsDir)).filter((name) => name.endsWith('.json')).sort() : [];
  }

  async writeConfig(toml: string): Promise<void> {
    await writeFile(this.configFile, toml, { mode: 0o600 });
  }

  async readConfig(): Promise<string> {
    return readFile(this.configFile, 'utf8');
  }

  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) {
      // No session bus either: on a desktop, `auto` would otherwise put test tokens in the developer's own keyring.
      if (!key.startsWith('AUTHCTL_') && !['BROWSER', 'DISPLAY', 'WAYLAND_DISPLAY', 'XDG_CONFIG_HOME', 'DBUS_SESSION_BUS_ADDRESS'].includes(key)) env[key] = value;
    }
    return { ...env, AUTHCTL_HOME: this.home, NO_COLOR: '1', ...extra };
  }

  start(args: string[], options: RunOptions = {}): RunningAuthctl {
    return watch(spawn(process.execPath, [AUTHCTL, ...args], { env: this.env(options.env), stdio: 'pipe' }), args, options);
  }

  /**
   * Runs authctl on a real pseudo-terminal (util-linux `script`), so stdin
   * and stderr are TTYs: inquirer prompts, echo off for secrets. Everything
   * the terminal shows arrives on `stdout`.
   */
  startInTerminal(args: string[], options: RunOptions = {}): RunningAuthctl {
    // script's pty starts without a size (programs then assume 80 columns): give it the COLUMNS and LINES below.
    const command = `stty cols 200 rows 50; ${[process.execPath, AUTHCTL, ...args].map(shellQuote).join(' ')}`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: this.env({ SHELL: '/bin/sh', TERM: 'xterm', COLUMNS: '200', LINES: '50', ...options.env }),
      stdio: 'pipe',
    });
    return watch(child, args, options, true);
  }

  /** Runs authctl to completion; stdin is closed at once unless `input` is given. */
  run(args: string[], options: RunOptions = {}): Promise<RunResult> {
    return this.start(args, { ...options, input: options.input ?? '' }).done;
  }

  async remove(): Promise<void> {
    await rm(this.home, { recursive: true, force: true });
  }
}

function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Colour, cursor and erase sequences a terminal program writes. */
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07/g;

function watch(child: ChildProcessWithoutNullStreams, args: string[], options: RunOptions, terminal = false): RunningAuthctl {
  const text = { stdout: '', stderr: '' };
  const consumed = { stdout: 0, stderr: 0 };
  let pending = '';
  const lines: string[] = [];
  let lineWaiters: Array<{ match: (line: string) => boolean; resolve: (line: string) => void }> = [];
  let textWaiters: Array<{ pattern: RegExp; stream: 'stdout' | 'stderr'; resolve: (match: string) => void }> = [];
  const failures: Array<(error: Error) => void> = [];

  const offer = () => {
    lineWaiters = lineWaiters.filter((waiter) => {
      const index = lines.findIndex(waiter.match);
      if (index < 0) return true;
      waiter.resolve(lines.splice(index, 1)[0]!);
      return false;
    });
    textWaiters = textWaiters.filter((waiter) => {
      const rest = text[waiter.stream].slice(consumed[waiter.stream]);
      const found = waiter.pattern.exec(rest);
      if (!found) return true;
      consumed[waiter.stream] += found.index + found[0].length;
      waiter.resolve(found[0]);
      return false;
    });
  };
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (raw: string) => {
    const chunk = terminal ? raw.replace(ANSI, '') : raw;
    text.stdout += chunk;
    pending += chunk;
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    lines.push(...parts.map((line) => line.replace(/\r$/, '')));
    offer();
  });
  child.stderr.on('data', (chunk: string) => {
    text.stderr += chunk;
    offer();
  });
  const timer = options.killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.killAfterMs);
  const done = new Promise<RunResult>((resolve) => {
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      const error = new Error(`authctl ${args.join(' ')} exited (${code}) first\nstdout:\n${text.stdout}\nstderr:\n${text.stderr}`);
      for (const fail of failures.splice(0)) fail(error);
      resolve({ code, stdout: text.stdout, stderr: text.stderr });
    });
  });
  let closed = false;
  void done.then(() => {
    closed = true;
  });
  const waitFor = <T>(register: (resolve: (value: T) => void) => void): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      let settled = false;
      register((value) => {
        settled = true;
        resolve(value);
      });
      offer();
      if (settled) return;
      if (closed) reject(new Error(`authctl ${args.join(' ')} has already exited\nstdout:\n${text.stdout}\nstderr:\n${text.stderr}`));
      else failures.push(reject);
    });
  if (options.input !== undefined) child.stdin.end(options.input);
  return {
    done,
    nextLine: (match = () => true) => waitFor<string>((resolve) => lineWaiters.push({ match, resolve })),
    expect: (pattern, stream = 'stdout') => waitFor<string>((resolve) => textWaiters.push({ pattern, stream, resolve })),
    write: (input) => {
      child.stdin.write(input);
    },
    kill: (signal) => {
      child.kill(signal);
    },
    pid: child.pid!,
  };
}

/** A stack frame as Node prints them (`    at fn (file:line:col)`). */
export const STACK_FRAME = /^\s+at\s/m;
