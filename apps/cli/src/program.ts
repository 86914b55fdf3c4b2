import { Command } from 'commander';
import { AuthError } from '@auth/core';
import { completionCommand } from './commands/completion.js';
import { configureCommand } from './commands/configure.js';
import { execCommand } from './commands/exec.js';
import { loginCommand } from './commands/login.js';
import { logoutCommand } from './commands/logout.js';
import { pluginsCommand } from './commands/plugins.js';
import { printTokenCommand } from './commands/print-token.js';
import { agentCommand } from './commands/agent.js';
import { profileCommand } from './commands/profile.js';
import { statusCommand } from './commands/status.js';
import { storeCommand } from './commands/store.js';
import { tokenCommand } from './commands/token.js';
import { userCommand } from './commands/user.js';
import { mountProviderAdmin } from './commands/provider-admin.js';
import { createCli, type Cli, type StartCli } from './context.js';
import { guardDrainedLoop } from './drained-loop.js';
import { reportError } from './errors.js';
import { examples, HELP_CONFIGURATION, helpWidth, hintCommandHelp, wrapHelpOutput } from './help.js';
import { HELP_EXAMPLES } from './help-examples.js';
import { pendingRequests } from './http/pending-requests.js';
import { Output } from './output.js';
import { version } from './package-info.js';

export function buildProgram(start: StartCli): Command {
  const program = new Command('authctl')
    .description('Log in to data platforms and give every script a fresh access token.')
    .version(version, '-V, --version')
    .option('--profile <name>', 'profile to use (env AUTHCTL_PROFILE; default: default_profile, else "default")')
    .option('--config <file>', 'config file (default: $AUTHCTL_HOME/config.toml)')
    .option('--json', 'machine-readable output: one JSON object per line on stdout')
    .option('--plain', 'undecorated output: no colour, one value per line')
    .option('--silent', 'print only what is essential (URLs to open, device codes, errors)')
    .option('--no-color', 'no colour in terminal output (also NO_COLOR=1)')
    .option('--verbose', 'trace every HTTP request on stderr, secrets redacted')
    .configureHelp(HELP_CONFIGURATION)
    .configureOutput({
      writeOut: (text) => process.stdout.write(wrapHelpOutput(text)),
      getOutHelpWidth: () => helpWidth(),
      getErrHelpWidth: () => helpWidth(),
    })
    .addHelpText(
      'after',
      '\nEnvironment: AUTHCTL_HOME, AUTHCTL_PROFILE, AUTHCTL_SERVICE_ACCOUNT_ID, AUTHCTL_CLIENT_SECRET, AUTHCTL_USERNAME, AUTHCTL_PASSWORD,\n' +
        'AUTHCTL_TOKEN, AUTHCTL_PLUGIN_PATH, BROWSER, NO_COLOR; kxi\'s KXI_SERVICEACCOUNT_ID and KXI_SERVICEACCOUNT_SECRET as aliases.\n' +
        'Network: HTTPS_PROXY, HTTP_PROXY, NO_PROXY (lowercase wins), NODE_EXTRA_CA_CERTS; per profile: ca_file, timeout.\n' +
        'Exit codes: 0 ok, 1 unexpected, 2 usage or config, 3 login required, 4 denied or invalid credentials, 5 network or timeout\n' +
        '(retry), 126/127 exec could not run the command, 130 interrupted (Ctrl-C).',
    );

  // Added with `.command()` inside each, so they inherit the help and output settings.
  for (const register of [configureCommand, loginCommand, printTokenCommand, statusCommand, logoutCommand, profileCommand, tokenCommand, execCommand, completionCommand, userCommand, storeCommand, pluginsCommand, agentCommand]) {
    register(program, start);
  }
  for (const command of program.commands) {
    const lines = HELP_EXAMPLES[command.name()];
    if (lines !== undefined) examples(command, lines);
  }
  return program;
}

/** Commands whose callers (scripts, kubectl) show stderr as is: their errors fit on one line. */
const ONE_LINE_COMMANDS = new Set(['print-token', 'exec-credential', 'exec']);

/** 128 + SIGINT (2): how a shell reports a command ended by Ctrl-C, so a calling script stops too. */
const INTERRUPTED = 130;

/** Ctrl-C ended the command: through the run's abort signal (SIGINT), or inside a terminal prompt. */
function interruptedByCtrlC(error: unknown, cli: Cli | undefined): boolean {
  if (cli?.signal.aborted) return true;
  return AuthError.is(error) && error.code === 'CANCELLED' && error.cause instanceof Error && error.cause.name === 'ExitPromptError';
}

/** Runs the full program on `argv` (without `node` and the script) and exits with its code. */
export async function main(argv: string[]): Promise<never> {
  let cli: Cli | undefined;
  const start: StartCli = (command) => (cli = createCli(command));
  const report = (error: unknown): number => {
    // Before a command starts (a usage error), only the raw argv tells how to report.
    const out = cli?.out ?? new Output({ json: argv.includes('--json'), plain: false, silent: false, color: !argv.includes('--no-color') });
    const code = reportError(error, out, { oneLine: ONE_LINE_COMMANDS.has(cli?.command ?? ''), debug: process.env.AUTHCTL_DEBUG === '1' });
    return interruptedByCtrlC(error, cli) ? INTERRUPTED : code;
  };
  const standDown = guardDrainedLoop(() => cli?.command ?? '', pendingRequests, (error) => process.exit(report(error)));
  let code = 0;
  try {
    const program = await mountProviderAdmin(buildProgram(start), start, argv);
    hintCommandHelp(program);
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    code = report(error);
  }
  standDown();
  if (code === 0) code = cli?.exitCode ?? 0;
  process.exit(code);
}
