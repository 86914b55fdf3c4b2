import type { Command } from 'commander';
import { AuthError, identityOf, isExpired, notLoggedInHint, profileProviderId, tokenKey, type Credential, type OAuthCredential } from '@auth/core';
import { cliStore, loadProfileConfig, type StartCli } from '../context.js';
import { reportError } from '../errors.js';
import { relativeTime } from '../relative-time.js';

/** What `status` reports; read from config and the store only, no network. */
interface Status {
  profile: string;
  provider: string;
  logged_in: boolean;
  /** The active identity (`authctl user list`), whose token print-token hands out; the username of Basic credentials. */
  identity: string | null;
  /** How it logged in: an OAuth flow, `exchange` (a machine identity), or `basic` (a username and password, which never expire). */
  flow: string | null;
  expires_at: number | null;
  expired: boolean | null;
  refreshable: boolean | null;
  subject: string | null;
}

/** print-token gets a new token for it without anyone logging in: by refresh, or a service account's or machine identity's silent login. */
function renewsWithoutPerson(credential: OAuthCredential): boolean {
  return credential.tokens.refresh_token !== undefined || credential.flow === 'client-credentials' || credential.flow === 'exchange';
}

/** What the stored credential says; Basic credentials are a username and password, which never expire. */
function credentialStatus(credential: Credential | undefined): Omit<Status, 'profile' | 'provider'> {
  if (credential?.kind === 'basic') {
    return { logged_in: true, identity: credential.username, flow: 'basic', expires_at: null, expired: false, refreshable: null, subject: null };
  }
  const oauth = credential?.kind === 'oauth' ? credential : undefined;
  return {
    logged_in: oauth !== undefined && (!isExpired(oauth.tokens) || renewsWithoutPerson(oauth)),
    identity: oauth ? identityOf(oauth) : null,
    flow: oauth?.flow ?? null,
    expires_at: oauth?.tokens.expires_at ?? null,
    expired: oauth ? isExpired(oauth.tokens) : null,
    refreshable: oauth ? oauth.tokens.refresh_token !== undefined : null,
    subject: oauth?.subject ?? null,
  };
}

export function statusCommand(program: Command, start: StartCli): void {
  program
    .command('status')
    .description('show whether the profile is logged in, with which flow, until when and as whom (exit 3 when not logged in)')
    .action(async (_options: object, command: Command) => {
      const cli = start(command);
      const { config, name } = await loadProfileConfig(cli);
      const provider = profileProviderId(config, name);
      const store = cliStore(cli, config);
      const credential = await store.get(tokenKey(name));
      const status: Status = { profile: name, provider, ...credentialStatus(credential) };
      if (cli.globals.json) {
        cli.out.data(JSON.stringify(status));
      } else {
        for (const [key, value] of Object.entries(status)) {
          const shown =
            key !== 'expires_at' ? value : typeof value === 'number' ? `${new Date(value * 1000).toISOString()} (${relativeTime(value)})` : status.flow === 'basic' ? 'never' : value;
          cli.out.data(cli.globals.plain ? `${key}=${shown ?? ''}` : `${key.padEnd(12)} ${shown ?? '-'}`);
        }
      }
      if (!status.logged_in) {
        const problem = credential?.kind !== 'oauth' ? 'is not logged in' : 'is not logged in: its token has expired and it has no refresh token';
        const error = new AuthError('LOGIN_REQUIRED', `profile ${name} ${problem}`, { profile: name, hint: await notLoggedInHint(store, name) });
        // The status on stdout already says so; --json keeps stdout to that one object.
        cli.exitCode = reportError(error, cli.out, { event: false });
      }
    });
}
