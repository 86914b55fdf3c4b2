import type { Command } from 'commander';
import {
  AuthError,
  loadConfig,
  openStore,
  profileFetch,
  profileProviderId,
  resolveProfile,
  selectProfileName,
  type AuthctlConfig,
  type CommonProfileSettings,
  type CredentialStore,
  type Interaction,
  type SessionContext,
} from '@auth/core';
import { trackRequests } from './http/pending-requests.js';
import { createVerboseFetch } from './http/verbose-fetch.js';
import { createTerminalInteraction } from './interaction/terminal-interaction.js';
import { StdinLines } from './interaction/stdin-lines.js';
import { Output } from './output.js';
import { importProvider } from './plugins/cli-providers.js';
import { envClientSecret, envServiceAccountId } from './service-account-env.js';

/** Where the commands load a profile's provider (see plugins/cli-providers.ts). */
export { importProvider };

/** The options every command accepts (see `program.ts`). */
export interface GlobalOptions {
  profile?: string;
  config?: string;
  json?: boolean;
  plain?: boolean;
  silent?: boolean;
  color?: boolean;
  /** Trace every HTTP request on stderr, secrets redacted. */
  verbose?: boolean;
}

/** One command run: its global options, its output, its way to ask a person. */
export interface Cli {
  /** The command being run (`login`, `print-token`, `list`, ...). */
  command: string;
  globals: GlobalOptions;
  env: NodeJS.ProcessEnv;
  out: Output;
  lines: StdinLines;
  interaction: Interaction;
  /** stdin and stderr are terminals: prompts are interactive, secrets hidden. */
  tty: boolean;
  /** Aborted by Ctrl+C, so a pending request or poll stops cleanly. */
  signal: AbortSignal;
  /** The exit code of a command that reported its own failure and returned (status: exit 3). */
  exitCode: number;
}

let interrupt: AbortController | undefined;

/** Aborts on the first Ctrl+C; a second one exits at once. */
function interruptSignal(): AbortSignal {
  if (!interrupt) {
    const controller = new AbortController();
    interrupt = controller;
    process.on('SIGINT', () => {
      if (controller.signal.aborted) process.exit(130);
      controller.abort();
    });
  }
  return interrupt.signal;
}

/** Called by each command's action to set up its run; the top-level handler reports through its output. */
export type StartCli = (command: Command) => Cli;

export function createCli(command: Command, env: NodeJS.ProcessEnv = process.env): Cli {
  const globals = command.optsWithGlobals<GlobalOptions>();
  const out = new Output(
    { json: globals.json === true, plain: globals.plain === true, silent: globals.silent === true, color: globals.color !== false },
    env,
  );
  out.addSecret(envClientSecret(env));
  out.addSecret(env.AUTHCTL_PASSWORD);
  out.addSecret(env.INFISICAL_PASSWORD);
  out.addSecret(env.INFISICAL_JWT);
  const lines = new StdinLines();
  const tty = process.stdin.isTTY === true && process.stderr.isTTY === true;
  return {
    command: command.name(),
    globals,
    env,
    out,
    lines,
    tty,
    interaction: createTerminalInteraction({ out, lines, env, tty }),
    signal: interruptSignal(),
    exitCode: 0,
  };
}

/** The config file and the profile this run is about (flag > AUTHCTL_PROFILE > default_profile > "default"). */
export async function loadProfileConfig(cli: Cli): Promise<{ config: AuthctlConfig; name: string }> {
  const config = await loadConfig({ file: cli.globals.config, env: cli.env, warn: (line) => cli.out.info(line) });
  return { config, name: selectProfileName(config, cli.globals.profile, cli.env) };
}

/**
 * Where a login's secrets come from: flags name the source. Values in argv
 * (kms `--client-secret`, `--password`, `--jwt`) are accepted with a warning
 * (see machine-login.ts) and win over every other source.
 */
export interface SecretFlags {
  clientSecretStdin?: boolean;
  passwordStdin?: boolean;
  username?: string;
  /** A client secret already read (argv or stdin). */
  clientSecret?: string;
  /** A password from argv (kms `--password`). */
  password?: string;
  /** The JWT of a jwt-auth / oidc-auth login from argv (kms `--jwt`). */
  jwt?: string;
  /** The label of the username prompt (`Email` for kms `--interactive`). */
  usernamePrompt?: string;
}

/** A secret from stdin: hidden entry on a terminal, else the next line of the pipe. */
export async function readStdinSecret(cli: Cli, what: string): Promise<string> {
  const secret = cli.tty ? await cli.interaction.promptSecret(what) : await cli.lines.next();
  if (!secret) {
    throw new AuthError('USAGE', `no ${what.toLowerCase()} on stdin`, { hint: `pipe the ${what.toLowerCase()} into the command, one line` });
  }
  cli.out.addSecret(secret);
  return secret;
}

function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= fn());
}

export interface SessionOptions {
  /** Flag values that win over the profile (flag > env > profile > default); AUTHCTL_SERVICE_ACCOUNT_ID is read here. */
  overrides?: Partial<CommonProfileSettings>;
  secrets?: SecretFlags;
  /**
   * May a person be asked (username, hidden password)? False for print-token:
   * core then logs a password profile in again only from AUTHCTL_PASSWORD,
   * and otherwise reports LOGIN_REQUIRED instead of waiting on a prompt.
   */
  prompts?: boolean;
}

/** The profile's credential store; its one fallback warning goes through the CLI's output (so `--silent` drops it). */
export function cliStore(cli: Cli, config: AuthctlConfig): CredentialStore {
  return openStore(config, { warn: (line) => cli.out.info(line) });
}

/** Config, profile, provider, store and secret sources: everything login, getToken and logout need. */
export async function openSession(cli: Cli, options: SessionOptions = {}): Promise<SessionContext & { config: AuthctlConfig }> {
  const { config, name } = await loadProfileConfig(cli);
  const provider = await importProvider(profileProviderId(config, name), config, cli.env);
  const serviceAccountId = envServiceAccountId(cli.env);
  const overrides = { ...(serviceAccountId === undefined ? {} : { service_account: { client_id: serviceAccountId } }), ...options.overrides };
  const profile = resolveProfile(config, name, provider, overrides, cli.env);
  const flags = options.secrets ?? {};
  const prompts = options.prompts ?? true;
  const username = flags.username || cli.env.AUTHCTL_USERNAME || cli.env.INFISICAL_EMAIL || profile.settings.username;
  const envPassword = cli.env.AUTHCTL_PASSWORD || cli.env.INFISICAL_PASSWORD;
  const passwordKnown = flags.passwordStdin === true || flags.password !== undefined || Boolean(envPassword);
  return {
    config,
    profile,
    provider,
    store: cliStore(cli, config),
    interaction: cli.interaction,
    signal: cli.signal,
    env: cli.env,
    fetch: trackRequests(
      cli.globals.verbose ? createVerboseFetch(profileFetch(profile, cli.env), (line) => cli.out.essential(line)) : profileFetch(profile, cli.env),
    ),
    secrets: {
      clientSecret: once(async () =>
        flags.clientSecret ?? (flags.clientSecretStdin ? readStdinSecret(cli, 'Client secret') : envClientSecret(cli.env)),
      ),
      jwt: async () => flags.jwt ?? (cli.env.INFISICAL_JWT || undefined),
      ...(prompts || (username && passwordKnown)
        ? {
            password: once(async () => {
              const user = username || (await cli.interaction.prompt(flags.usernamePrompt ?? 'Username'));
              const password =
                flags.password ??
                (flags.passwordStdin
                  ? await readStdinSecret(cli, 'Password')
                  : envPassword || (await cli.interaction.promptSecret(`Password for ${user}`)));
              return { username: user, password };
            }),
          }
        : {}),
    },
  };
}
