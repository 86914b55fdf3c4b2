// authctl entry point. `print-token` and `token exec-credential` run before
// every request a script or kubectl makes, so when the token is at hand (a
// fresh cached one, or AUTHCTL_TOKEN) they are answered here with only
// `node:util` and the lean `@auth/core/cached-token` module loaded: no
// commander, no zod, no oauth4webapi, no provider plugin. Everything else,
// including a token that must be refreshed, a login, or an error to report,
// goes to the full program, loaded on demand.
import { parseArgs } from 'node:util';
import { isB64Token } from '@auth/core/cached-token';
import { ENV_TOKEN_NOTICE, envToken } from './env-token.js';
import { execCredential, readExecInfo } from './exec-credential.js';
import { basicLine, tokenLine } from './token-line.js';

const argv = process.argv.slice(2);
const FAST_COMMANDS = ['print-token', 'token exec-credential'];

/** Answers a fast command and returns true when the token is at hand; false hands over to the full program. */
async function answerFast(): Promise<boolean> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        profile: { type: 'string' },
        config: { type: 'string' },
        header: { type: 'boolean' },
        json: { type: 'boolean' },
        plain: { type: 'boolean' },
        silent: { type: 'boolean' },
        verbose: { type: 'boolean' },
        'no-color': { type: 'boolean' },
      },
    });
  } catch {
    return false; // the full program owns usage errors
  }
  const command = parsed.positionals.join(' ');
  if (!FAST_COMMANDS.includes(command)) return false;
  const execInfo = command === 'print-token' ? undefined : readExecInfo(process.env);
  // A bad KUBERNETES_EXEC_INFO, or --header where it means nothing: the full program reports it.
  if (execInfo !== undefined && (!('info' in execInfo) || parsed.values.header)) return false;

  const override = envToken(process.env);
  // One that could not be sent as a Bearer token: the full program reports it.
  if (override !== undefined && !isB64Token(override.access_token)) return false;
  if (override !== undefined) {
    if (!parsed.values.silent) process.stderr.write(`${ENV_TOKEN_NOTICE}\n`);
    process.stdout.write(execInfo ? execCredential(execInfo.info.apiVersion, override.access_token) : tokenLine(override, parsed.values.header));
    return true;
  }
  const { readCachedToken } = await import('@auth/core/cached-token');
  let cached;
  try {
    cached = await readCachedToken({ profile: parsed.values.profile, configFile: parsed.values.config, env: process.env });
  } catch {
    return false; // the full program meets the same error and reports it with its exit code
  }
  if (cached.state === 'basic') {
    // Only as a header line; plain print-token and exec-credential are the full program's to refuse.
    if (execInfo !== undefined || !parsed.values.header) return false;
    process.stdout.write(basicLine(cached.credential));
    return true;
  }
  if (cached.state !== 'fresh') return false;
  const { token } = cached;
  process.stdout.write(execInfo ? execCredential(execInfo.info.apiVersion, token.access_token, token.expires_at) : tokenLine(token, parsed.values.header));
  return true;
}

// The full program is an ES module beside this CommonJS entry; a specifier
// esbuild does not follow keeps it out of this bundle (tsup.config.ts).
const PROGRAM = './program.js';

async function run(): Promise<void> {
  if ((argv.includes('print-token') || argv.includes('exec-credential')) && (await answerFast())) return;
  const { main } = (await import(PROGRAM)) as typeof import('./program.js');
  await main(argv);
}

void run();
