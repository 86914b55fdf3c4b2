import { InvalidArgumentError, Option, type Command } from 'commander';
import { AuthError, login, loginBasic, type LoginFlowId, type SessionContext } from '@auth/core';
import { openSession, type Cli, type StartCli } from '../context.js';
import { browserBlocker } from '../interaction/browser-environment.js';
import { replacePolicy, reportIdentities } from '../login-identities.js';
import { machineLogin, warnArgvSecret, type MachineFlags } from '../machine-login.js';

export const LOGIN_FLOWS = ['browser', 'code', 'device', 'client-credentials', 'password'] as const satisfies readonly LoginFlowId[];

interface LoginFlags extends MachineFlags {
  flow?: LoginFlowId;
  forceCode?: boolean;
  serviceaccount?: boolean;
  browser: boolean;
  port?: number;
  clientSecretStdin?: boolean;
  passwordStdin?: boolean;
  username?: string;
  replace?: boolean;
  email?: string;
  password?: string;
  interactive?: boolean;
  organizationId?: string;
}

/** The kms (Infisical CLI) variables `login` reads, one per line: some are longer than a narrow terminal's option column. */
const KMS_VARIABLES = [
  '',
  'kms variables (a flag wins):',
  '  INFISICAL_DOMAIN, INFISICAL_API_URL: --domain',
  '  INFISICAL_UNIVERSAL_AUTH_CLIENT_ID: --client-id',
  '  INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET (or AUTHCTL_CLIENT_SECRET): --client-secret',
  '  INFISICAL_MACHINE_IDENTITY_ID: --machine-identity-id',
  '  INFISICAL_KUBERNETES_SERVICE_ACCOUNT_TOKEN_PATH: --service-account-token-path',
  '  INFISICAL_GCP_IAM_SERVICE_ACCOUNT_KEY_FILE_PATH: --service-account-key-file-path',
  '  INFISICAL_JWT: --jwt',
  '  INFISICAL_AUTH_ORGANIZATION_SLUG: --organization-slug',
  '  INFISICAL_EMAIL, INFISICAL_PASSWORD (or AUTHCTL_PASSWORD): --email, --password',
  '  INFISICAL_ORGANIZATION_ID: --organization-id',
].join('\n');

/** kms's default method: a person's login, through the profile's IdP. */
const USER_METHOD = 'user';
/** Flags that only mean something for one side: a person's login, or a machine identity's. */
const PERSON_FLAGS = { flow: '--flow', forceCode: '--force-code', serviceaccount: '--serviceaccount', port: '--port', passwordStdin: '--password-stdin', username: '--username', email: '--email', password: '--password', interactive: '--interactive' } as const;
const MACHINE_FLAGS = { domain: '--domain', clientId: '--client-id', clientSecret: '--client-secret', machineIdentityId: '--machine-identity-id', serviceAccountTokenPath: '--service-account-token-path', serviceAccountKeyFilePath: '--service-account-key-file-path', jwt: '--jwt', jwtFile: '--jwt-file', organizationSlug: '--organization-slug' } as const;

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
    .option('--username <name>', 'username for the password flow or a username-and-password profile (else AUTHCTL_USERNAME, else the profile, else asked)')
    .option('--replace', 'on a terminal, replace a stored login of the same identity without asking')
    .option('--method <method>', 'kms login method: user (default: a person, through the profile IdP), or a machine identity: universal-auth, jwt-auth, oidc-auth, or a method an installed provider proves, in kms\'s names (kept in the profile, which is created when missing)')
    .option('--domain <url>', 'machine identity: the login API (/api is appended when missing)')
    .option('--client-id <id>', 'universal-auth: the client id')
    .option('--client-secret <secret>', 'universal-auth: the client secret; other local users can read argv, so prefer its variable or --client-secret-stdin')
    .option('--machine-identity-id <id>', 'every machine identity but universal-auth: the identity')
    .option('--service-account-token-path <path>', 'a Kubernetes service account login: its token file (default: the one Kubernetes mounts in the pod)')
    .option('--service-account-key-file-path <path>', 'gcp-iam: the service account key file')
    .option('--jwt <jwt>', 'oidc-auth, jwt-auth: the JWT; other local users can read argv, so prefer its variable or --jwt-file')
    .option('--jwt-file <path>', 'oidc-auth, jwt-auth: a file holding the JWT, read again at every login (e.g. a CI OIDC token)')
    .option('--organization-slug <slug>', 'machine identity: the sub-organization; no meaning for a person login')
    .option('--organization-id <id>', 'kms compatibility: accepted; an OAuth login has no organization to pick')
    .option('--email <email>', 'user: log in with the password flow as this user')
    .option('--password <password>', 'user: the password; other local users can read argv, so prefer its variable or --password-stdin')
    .option('-i, --interactive', 'user: ask for the email and the password (hidden) on the terminal')
    .addHelpText('after', KMS_VARIABLES)
    .action(async (flags: LoginFlags, command: Command) => {
      const cli = start(command);
      refuseEmptyValues(flags);
      const method = flags.method ?? USER_METHOD;
      refuseFlagsOf(method === USER_METHOD ? MACHINE_FLAGS : PERSON_FLAGS, flags, method);
      if (method !== USER_METHOD) {
        await machineLogin(cli, method, flags);
        return;
      }
      warnArgvSecret(cli, '--password', flags.password);
      const asked = chosenFlow(flags);
      const session = await openSession(cli, {
        overrides: asked ? { flow: asked } : {},
        secrets: {
          clientSecretStdin: flags.clientSecretStdin,
          passwordStdin: flags.passwordStdin,
          username: flags.username ?? flags.email,
          password: flags.password,
          ...(flags.interactive ? { usernamePrompt: 'Email' } : {}),
        },
      });
      if (session.provider.basic !== undefined) {
        await basicLogin(cli, session, flags);
        return;
      }
      const { settings } = session.profile;
      // kms logs a person in directly when both variables are set; a machine profile has no person to log in.
      const direct = settings.method === undefined && cli.env.INFISICAL_EMAIL && cli.env.INFISICAL_PASSWORD;
      const flow = asked ?? (direct ? 'password' : undefined);
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

/** Flags of an OAuth login, which a username-and-password profile has no use for. */
const OAUTH_FLAGS = { flow: '--flow', forceCode: '--force-code', serviceaccount: '--serviceaccount', port: '--port', clientSecretStdin: '--client-secret-stdin' } as const;

/**
 * A profile whose provider takes a username and password as HTTP Basic
 * credentials: they are checked against the server, then stored.
 */
async function basicLogin(cli: Cli, session: SessionContext, flags: LoginFlags): Promise<void> {
  const name = session.profile.name;
  const given = Object.entries(OAUTH_FLAGS).filter(([key]) => flags[key as keyof LoginFlags] !== undefined && flags[key as keyof LoginFlags] !== false);
  if (given.length > 0) {
    const names = given.map(([, flag]) => flag).join(', ');
    throw new AuthError('USAGE', `${names} ${given.length === 1 ? 'does' : 'do'} not apply to profile ${name}: it logs in with a username and password`, {
      profile: name,
      hint: `run \`authctl login --profile ${name}\` with --username and --password-stdin (or AUTHCTL_PASSWORD), or answer the prompts`,
    });
  }
  const credential = await loginBasic(session);
  cli.out.info(`Logged in to profile "${name}" as ${credential.username}: the server accepted the username and password, stored as Basic credentials (they do not expire)`);
}

/**
 * `--force-code` and `--serviceaccount` are kxi's spellings of `--flow`;
 * kms's `--email`, `--password` and `--interactive` ask for the password
 * flow. Contradictions are usage errors.
 */
function chosenFlow(flags: LoginFlags): LoginFlowId | undefined {
  const asked = new Set<LoginFlowId>();
  if (flags.flow) asked.add(flags.flow);
  if (flags.forceCode) asked.add('code');
  if (flags.serviceaccount) asked.add('client-credentials');
  if (flags.email !== undefined || flags.password !== undefined || flags.interactive) asked.add('password');
  if (asked.size > 1) {
    throw new AuthError('USAGE', `conflicting login flows: ${[...asked].join(', ')}`, {
      hint: 'pass one of --flow, --force-code, --serviceaccount, or --email/--password/--interactive',
    });
  }
  return [...asked][0];
}

/** An empty value is a variable that expanded to nothing, never "use the default". */
function refuseEmptyValues(flags: LoginFlags): void {
  for (const [key, flag] of Object.entries({ ...MACHINE_FLAGS, email: '--email', password: '--password', method: '--method' })) {
    if (flags[key as keyof LoginFlags] === '') throw new AuthError('USAGE', `${flag} is empty`, { hint: `give ${flag} a value, or leave it out` });
  }
}

function refuseFlagsOf(flagNames: Readonly<Record<string, string>>, flags: LoginFlags, method: string): void {
  const given = Object.entries(flagNames).filter(([key]) => flags[key as keyof LoginFlags] !== undefined && flags[key as keyof LoginFlags] !== false);
  if (given.length === 0) return;
  const names = given.map(([, flag]) => flag).join(', ');
  throw new AuthError('USAGE', `${names} ${given.length === 1 ? 'does' : 'do'} not apply to --method ${method}`, {
    hint:
      method === USER_METHOD
        ? 'a machine identity logs in with --method (universal-auth, or a method an installed provider proves); a person through the profile IdP'
        : 'a person logs in with --method user (the default) through the profile IdP',
  });
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new InvalidArgumentError('expected a TCP port between 1 and 65535');
  }
  return port;
}
