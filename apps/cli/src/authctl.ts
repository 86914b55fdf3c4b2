// authctl entry point. `print-token` runs before every request a script
// makes, so when the cached token is fresh it is answered here with only
// `node:util` and the lean `@auth/core/cached-token` module loaded: no
// commander, no zod, no oauth4webapi, no provider plugin. Everything else,
// including a print-token that must refresh, log in again or report an
// error, goes to the full program, loaded on demand.
import { parseArgs } from 'node:util';
import { tokenLine } from './token-line.js';

const argv = process.argv.slice(2);

/** Prints the cached token and returns true when it is fresh; false hands over to the full program. */
async function printFreshToken(): Promise<boolean> {
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
        'no-color': { type: 'boolean' },
      },
    });
  } catch {
    return false; // the full program owns usage errors
  }
  if (parsed.positionals.length !== 1 || parsed.positionals[0] !== 'print-token') return false;
  const { readCachedToken } = await import('@auth/core/cached-token');
  let cached;
  try {
    cached = await readCachedToken({ profile: parsed.values.profile, configFile: parsed.values.config, env: process.env });
  } catch {
    return false; // the full program meets the same error and reports it with its exit code
  }
  if (cached.state !== 'fresh') return false;
  process.stdout.write(tokenLine(cached.token, parsed.values.header));
  return true;
}

if (!argv.includes('print-token') || !(await printFreshToken())) {
  const { main } = await import('./program.js');
  await main(argv);
}
