import { InvalidArgumentError, Option, type Command } from 'commander';
import { AuthError, login, type LoginFlowId } from '@auth/core';
import { openSession, type StartCli } from '../context.js';
import { browserBlocker } from '../interaction/browser-environment.js';
import { replacePolicy, reportIdentities } from '../login-identities.js';

export const LOGIN_FLOWS = ['browser', 'code', 'device', 'client-credentials', 'password'] as const satisfies readonly LoginFlowId[];

interface LoginFlags {
  flow?: LoginFlowId;
  forceCode?: boolean;
  serviceaccount?: boolean;
  browser: boolean;
  port?: number;
  clientSecretStdin?: boolean;
  passwordStdin?: boolean;
  username?: string;
  replace?: boolean;
}

export function loginCommand(program: Command, start: StartCli): void {
  program
    .command('login')
    .description('log in and store the tokens of the profile')
    .addOption(new Option('--flow <flow>', 'how to log in (default: the profile flow)').choices(LOGIN_FLOWS))
    .option('--force-code', 'paste the authorization code shown after login (same as --flow code)')
    .option('--serviceaccount', 'log in as the profile service account (same as --flow client-credentials)')
    .option('--no-browser', 'do not open a browser; print the URL only')
    .option('--port <port>', 'fixed loopback port for the browser flow', parsePort)
    .option('--client-secret-stdin', 'read the client secret from stdin (else AUTHCTL_CLIENT_SECRET, else the store)')
    .option('--password-stdin', 'read the password from stdin (else AUTHCTL_PASSWORD, else a hidden prompt)')
    .option('--username <name>', 'username for the password flow (else AUTHCTL_USERNAME, else the profile)')
    .option('--replace', 'on a terminal, replace a stored login of the same identity without asking')
    .action(async (flags: LoginFlags, command: Command) => {
      const cli = start(command);
      const flow = chosenFlow(flags);
      const session = await openSession(cli, {
        overrides: flow ? { flow } : {},
        secrets: { clientSecretStdin: flags.clientSecretStdin, passwordStdin: flags.passwordStdin, username: flags.username },
      });
      const { settings } = session.profile;
      const credential = await login(session, {
        flow,
        confirmReplace: replacePolicy(cli, session.profile.name, flags.replace === true),
        options: {
          // Where no browser can be opened, none is tried: the person gets the URL and a hint (terminal-interaction.ts).
          noBrowser: !flags.browser || browserBlocker(cli.env) !== undefined,
          port: flags.port ?? settings.redirect_port,
          codeRedirectUri: settings.code_redirect_uri,
        },
      });
      const until = new Date(credential.tokens.expires_at * 1000).toISOString();
      cli.out.info(`Logged in to profile "${session.profile.name}"; token valid until ${until}`);
      await reportIdentities(cli, session.store, session.profile.name);
      // kms parity: `TOKEN=$(authctl login --plain --silent)`.
      if (cli.globals.plain && !cli.globals.json) cli.out.data(credential.tokens.access_token);
    });
}

/** `--force-code` and `--serviceaccount` are kxi's spellings of `--flow`; contradictions are usage errors. */
function chosenFlow(flags: LoginFlags): LoginFlowId | undefined {
  const asked = new Set<LoginFlowId>();
  if (flags.flow) asked.add(flags.flow);
  if (flags.forceCode) asked.add('code');
  if (flags.serviceaccount) asked.add('client-credentials');
  if (asked.size > 1) {
    throw new AuthError('USAGE', `conflicting login flows: ${[...asked].join(', ')}`, {
      hint: 'pass one of --flow, --force-code or --serviceaccount',
    });
  }
  return [...asked][0];
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new InvalidArgumentError('expected a TCP port between 1 and 65535');
  }
  return port;
}
