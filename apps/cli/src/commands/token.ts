import type { Command } from 'commander';
import { AuthError, getToken, login, type TokenSet } from '@auth/core';
import { openSession, type Cli, type StartCli } from '../context.js';
import { checkedEnvToken } from '../checked-env-token.js';
import { ENV_TOKEN_NOTICE } from '../env-token.js';
import { EXEC_CREDENTIAL_VERSIONS, execCredential, readExecInfo, type ExecInfo } from '../exec-credential.js';
import { browserBlocker } from '../interaction/browser-environment.js';

/**
 * `authctl token exec-credential`: authctl as a kubectl credential plugin.
 * A fresh cached token never gets here (see authctl.ts); this is the path
 * that refreshes, or logs a person in when kubectl says one is there.
 */
export function tokenCommand(program: Command, start: StartCli): void {
  const token = program.command('token').description('hand the access token to other tools');

  token
    .command('exec-credential')
    .description('print a kubectl ExecCredential (client.authentication.k8s.io/v1) with the access token; honours KUBERNETES_EXEC_INFO')
    .addHelpText(
      'after',
      '\nIn a kubeconfig user:\n' +
        '  exec:\n' +
        '    apiVersion: client.authentication.k8s.io/v1\n' +
        '    command: authctl\n' +
        '    args: [token, exec-credential, --profile, dev]\n' +
        '    interactiveMode: IfAvailable\n' +
        'When kubectl says the call is not interactive and a person must log in, it exits 3 with one line on stderr.',
    )
    .action(async (_options: object, command: Command) => {
      const cli = start(command);
      const info = execInfo(cli.env);
      const override = checkedEnvToken(cli.env);
      if (override !== undefined) {
        cli.out.info(ENV_TOKEN_NOTICE);
        process.stdout.write(execCredential(info.apiVersion, override.access_token));
        return;
      }
      const tokens = await tokenOrLogin(cli, info.interactive ?? cli.tty);
      process.stdout.write(execCredential(info.apiVersion, tokens.access_token, tokens.expires_at));
    });
}

/** The profile's token; when a person must log in and may be asked, the login runs here (human text on stderr). */
async function tokenOrLogin(cli: Cli, interactive: boolean): Promise<TokenSet> {
  const session = await openSession(cli, { prompts: interactive });
  try {
    return await getToken(session);
  } catch (error) {
    if (!interactive || !AuthError.is(error) || error.code !== 'LOGIN_REQUIRED') throw error;
    const credential = await login(session, { options: { noBrowser: browserBlocker(cli.env) !== undefined } });
    return credential.tokens;
  }
}

function execInfo(env: NodeJS.ProcessEnv): ExecInfo {
  const read = readExecInfo(env);
  if ('info' in read) return read.info;
  throw new AuthError('USAGE', read.problem, {
    hint: `set the exec apiVersion in the kubeconfig to ${EXEC_CREDENTIAL_VERSIONS.join(' or ')}`,
  });
}
