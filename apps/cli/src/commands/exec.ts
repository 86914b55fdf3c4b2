import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { InvalidArgumentError, type Command } from 'commander';
import { AuthError, basicExecEnvironment, getToken } from '@auth/core';
import { openSession, type Cli, type StartCli } from '../context.js';
import { checkedEnvToken } from '../checked-env-token.js';
import { ENV_TOKEN_NOTICE } from '../env-token.js';
import { reportError } from '../errors.js';

/** Not AUTHCTL_TOKEN: that one tells authctl itself to skip the store. */
export const DEFAULT_TOKEN_VARIABLE = 'ACCESS_TOKEN';

/** Signals a supervisor sends to authctl that the command must get too; Ctrl+C reaches it from the terminal itself. */
const FORWARDED_SIGNALS = ['SIGTERM', 'SIGHUP'] as const;

export function execCommand(program: Command, start: StartCli): void {
  program
    .command('exec')
    .description(
      `run a command with a fresh access token in its environment (${DEFAULT_TOKEN_VARIABLE}, or --env NAME); ` +
        'for a username-and-password profile, with the variables its provider defines for its own tools',
    )
    .usage('[options] -- <command> [args...]')
    .argument('<command...>', 'the command and its arguments, after --')
    .option('--env <name>', 'environment variable that carries the token', parseVariableName, DEFAULT_TOKEN_VARIABLE)
    .addHelpText(
      'after',
      '\nThe token is refreshed first when needed. stdin, stdout and stderr are the command\'s own; authctl exits\n' +
        'with the command\'s exit code (or dies of the same signal). Example:\n' +
        '  authctl exec -- sh -c \'curl -H "Authorization: Bearer $ACCESS_TOKEN" https://api.example.com/\'',
    )
    .action(async (commandLine: string[], options: { env: string }, command: Command) => {
      const cli = start(command);
      const environment = await childEnvironment(cli, options.env, command.getOptionValueSource('env') === 'cli');
      const [file, ...args] = commandLine as [string, ...string[]];
      const ended = await run(file, args, { ...cli.env, ...environment });
      if ('notRunnable' in ended) {
        reportError(ended.notRunnable, cli.out, { oneLine: true, debug: cli.env.AUTHCTL_DEBUG === '1' });
        process.exit(ended.exitCode);
      }
      if (ended.signal === null) process.exit(ended.code ?? 1);
      dieOf(ended.signal);
    });
}

/** What the command gets: the access token in `variable`, or the variables of a username-and-password profile's provider. */
async function childEnvironment(cli: Cli, variable: string, variableGiven: boolean): Promise<Record<string, string>> {
  const override = checkedEnvToken(cli.env);
  if (override !== undefined) {
    cli.out.info(ENV_TOKEN_NOTICE);
    return { [variable]: override.access_token };
  }
  const session = await openSession(cli, { prompts: false });
  if (session.provider.basic === undefined) return { [variable]: (await getToken(session)).access_token };
  const name = session.profile.name;
  if (variableGiven) {
    throw new AuthError('USAGE', `--env does not apply to profile ${name}: it holds a username and password, not an access token`, {
      profile: name,
      hint: `leave out --env: \`authctl exec --profile ${name}\` sets the variables provider ${session.provider.id} defines for its tools`,
    });
  }
  return basicExecEnvironment(session);
}

/**
 * A shell's exit codes for a command it could not start (POSIX, XCU 2.8.2):
 * 127 when it is not found, 126 when it is found but cannot be executed.
 */
const NOT_FOUND = 127;
const NOT_EXECUTABLE = 126;

type Ended = { code: number | null; signal: NodeJS.Signals | null } | { notRunnable: AuthError; exitCode: number };

/** Runs the command in the foreground; resolves once it has exited, or could not start. */
function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<Ended> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: 'inherit', env });
    // The terminal sends Ctrl+C to the whole foreground group; the command decides what it means.
    process.removeAllListeners('SIGINT');
    process.on('SIGINT', () => {});
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
    child.once('error', (error: NodeJS.ErrnoException) => {
      const problem = error.code === 'ENOENT' ? 'command not found' : error.code === 'EACCES' ? 'permission denied' : error.message;
      resolve({
        notRunnable: new AuthError('USAGE', `cannot run "${file}": ${problem}`, {
          hint: 'check the command name, its permissions and PATH; the command and its arguments follow `--`',
          cause: error,
        }),
        exitCode: error.code === 'ENOENT' ? NOT_FOUND : NOT_EXECUTABLE,
      });
    });
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/** Ends authctl the way the command ended, so a calling shell sees the same signal (e.g. stops a script on Ctrl+C). */
function dieOf(signal: NodeJS.Signals): never {
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
  // Only reached if the signal does not end a process by default: exit as a shell would report it.
  process.exit(128 + (constants.signals[signal] ?? 0));
}

function parseVariableName(value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) {
    throw new InvalidArgumentError('expected an environment variable name (letters, digits and _, not starting with a digit)');
  }
  return value;
}
