import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The built `authctl` of the workspace's @auth/cli (a devDependency, so turbo builds it before these tests). */
export const AUTHCTL = (() => {
  const manifest = createRequire(import.meta.url).resolve('@auth/cli/package.json');
  const { bin } = JSON.parse(readFileSync(manifest, 'utf8')) as { bin: { authctl: string } };
  const path = join(dirname(manifest), bin.authctl);
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`pnpm --filter @auth/cli build\` (turbo runs it before the tests)`);
  return path;
})();

export interface AuthctlResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningAuthctl {
  /** The next stdout line, parsed as a `--json` event. */
  nextEvent(): Promise<Record<string, unknown>>;
  write(text: string): void;
  kill(signal: NodeJS.Signals): void;
  done: Promise<AuthctlResult>;
}

/**
 * An isolated AUTHCTL_HOME (0700 temp folder) and the built authctl run in it
 * as a child process, with the developer's own AUTHCTL_* and browser settings
 * taken out of the environment.
 */
export class AuthctlHome {
  private readonly children = new Set<ChildProcessWithoutNullStreams>();

  private constructor(readonly home: string) {}

  static async create(): Promise<AuthctlHome> {
    const home = await mkdtemp(join(tmpdir(), 'authctl-dev-server-'));
    await chmod(home, 0o700);
    return new AuthctlHome(home);
  }

  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const inherited = Object.entries(process.env).filter(
      ([key]) => !key.startsWith('AUTHCTL_') && !['BROWSER', 'DISPLAY', 'WAYLAND_DISPLAY', 'XDG_CONFIG_HOME'].includes(key),
    );
    return { ...Object.fromEntries(inherited), AUTHCTL_HOME: this.home, NO_COLOR: '1', ...extra };
  }

  /** Starts `authctl <args>`; stdin stays open for `write` unless `input` is given. */
  start(args: string[], { input, env }: { input?: string; env?: NodeJS.ProcessEnv } = {}): RunningAuthctl {
    const child = spawn(process.execPath, [AUTHCTL, ...args], { env: this.env(env), stdio: 'pipe' });
    this.children.add(child);
    child.on('close', () => this.children.delete(child));
    if (input !== undefined) child.stdin.end(input);
    return watch(child, args);
  }

  /** Runs `authctl <args>` to completion; stdin gets `input` (or nothing) and is closed. */
  run(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<AuthctlResult> {
    return this.start(args, { ...options, input: options.input ?? '' }).done;
  }

  /** Kills what a failed test left running, then deletes the folder. */
  async remove(): Promise<void> {
    for (const child of this.children) child.kill('SIGKILL');
    await rm(this.home, { recursive: true, force: true });
  }
}

function watch(child: ChildProcessWithoutNullStreams, args: string[]): RunningAuthctl {
  let stdout = '';
  let stderr = '';
  let consumed = 0;
  let wake: (() => void) | undefined;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    wake?.();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  let exited = false;
  const done = new Promise<AuthctlResult>((resolve) => {
    child.on('close', (code, signal) => {
      exited = true;
      resolve({ code, signal, stdout, stderr });
      wake?.();
    });
  });

  return {
    async nextEvent() {
      for (;;) {
        const newline = stdout.indexOf('\n', consumed);
        if (newline >= 0) {
          const line = stdout.slice(consumed, newline);
          consumed = newline + 1;
          try {
            return JSON.parse(line) as Record<string, unknown>;
          } catch {
            throw new Error(`authctl ${args.join(' ')}: stdout line is not JSON: ${line}`);
          }
        }
        if (exited) throw new Error(`authctl ${args.join(' ')} exited before its next event\nstdout:\n${stdout}\nstderr:\n${stderr}`);
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    write: (text) => child.stdin.write(text),
    kill: (signal) => child.kill(signal),
    done,
  };
}
