import { execFile } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect } from 'vitest';
import { test } from './support/fixtures.js';
import { configToml } from './support/profiles.js';
import { AUTHCTL, type Sandbox } from './support/sandbox.js';

const run = promisify(execFile);

/**
 * The sandbox with `authctl` on PATH (as an installed bin would be) and two
 * profiles, so completion of `--profile` has names to offer.
 */
async function shellEnv(sandbox: Sandbox): Promise<NodeJS.ProcessEnv> {
  const bin = join(sandbox.home, 'bin');
  await mkdir(bin);
  await writeFile(join(bin, 'authctl'), `#!/bin/sh\nexec '${process.execPath}' '${AUTHCTL}' "$@"\n`);
  await chmod(join(bin, 'authctl'), 0o755);
  const profile = { provider: 'oidc', issuer: 'http://127.0.0.1:9', client_id: 'authctl' };
  await sandbox.writeConfig(configToml({ dev: profile, staging: profile }, 'dev'));
  return sandbox.env({ PATH: `${bin}:${process.env.PATH}`, HOME: sandbox.home });
}

/** A shell the tests need: they fail, never skip, when it is missing (.ci/run installs it). */
async function shell(name: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  try {
    const { stdout } = await run(name, args, { env, timeout: 20_000 });
    return stdout;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${name} is not installed: apt-get install -y ${name}`);
    throw error;
  }
}

describe('authctl completion bash | zsh | fish', () => {
  test('the scripts are derived from the program: every command, subcommand and option appears in all three', async ({ sandbox }) => {
    const help = await sandbox.run(['--help']);
    const commands = [...help.stdout.matchAll(/^ {2}([a-z][a-z-]+)/gm)].map((match) => match[1]!);
    expect(commands).toEqual(expect.arrayContaining(['login', 'print-token', 'token', 'exec', 'completion', 'profile']));
    for (const shellName of ['bash', 'zsh', 'fish']) {
      const script = await sandbox.run(['completion', shellName]);
      expect(script.code, script.stderr).toBe(0);
      for (const command of commands) expect(script.stdout, `${shellName}: ${command}`).toContain(command);
      for (const word of ['exec-credential', 'flow', 'client-credentials', 'no-browser', 'verbose']) {
        expect(script.stdout, `${shellName}: ${word}`).toContain(word);
      }
    }
    expect((await sandbox.run(['completion', 'tcsh'])).code).toBe(2);
  });

  test('bash accepts its script: source <(authctl completion bash); complete -p authctl — and it completes', async ({ sandbox }) => {
    const env = await shellEnv(sandbox);
    const registered = await shell('bash', ['-c', 'source <(authctl completion bash) && complete -p authctl'], env);
    expect(registered).toBe('complete -o default -F _authctl authctl\n');

    const complete = async (line: string) => {
      const words = line.split(' ');
      const script = [
        'source <(authctl completion bash)',
        `COMP_WORDS=(${words.map((word) => `'${word}'`).join(' ')}); COMP_CWORD=${words.length - 1}`,
        '_authctl',
        'printf "%s\\n" "${COMPREPLY[@]}"',
      ].join('\n');
      return (await shell('bash', ['-c', script], env)).split('\n').filter(Boolean);
    };
    expect(await complete('authctl pro')).toEqual(['profile']);
    expect(await complete('authctl profile ')).toEqual(expect.arrayContaining(['list', 'show', 'use', 'delete']));
    expect(await complete('authctl --json token e')).toEqual(['exec-credential']);
    expect(await complete('authctl login --flow ')).toEqual(['browser', 'code', 'device', 'client-credentials', 'password']);
    expect(await complete('authctl --profile ')).toEqual(['dev', 'staging']);
    expect(await complete('authctl completion ')).toEqual(expect.arrayContaining(['bash', 'zsh', 'fish']));
    expect(await complete('authctl exec --')).toEqual(expect.arrayContaining(['--env']));
  });

  test('fish loads its script and completes commands, subcommands, option values and profile names', async ({ sandbox }) => {
    const env = await shellEnv(sandbox);
    const complete = async (line: string) =>
      (await shell('fish', ['--no-config', '-c', `authctl completion fish | source; complete -C ${JSON.stringify(line)}`], env))
        .split('\n')
        .filter(Boolean)
        .map((entry) => entry.split('\t')[0]);
    expect(await complete('authctl pro')).toEqual(['profile']);
    expect(await complete('authctl profile ')).toEqual(expect.arrayContaining(['list', 'show', 'use', 'delete']));
    expect(await complete('authctl token ')).toContain('exec-credential');
    expect((await complete('authctl login --flow ')).sort()).toEqual(['browser', 'client-credentials', 'code', 'device', 'password']);
    expect(await complete('authctl --profile ')).toEqual(['dev', 'staging']);
    expect(await complete('authctl login --fl')).toEqual(['--flow']);
  });

  test('zsh loads its script in an interactive shell and TAB lists the subcommands with their descriptions', async ({ sandbox }) => {
    const env = await shellEnv(sandbox);
    // zsh completes only inside its line editor: drive an interactive zsh on a pseudo-terminal (zsh/zpty).
    const driver = `
      zmodload zsh/zpty
      zpty z 'zsh -f -i'
      zpty -w z 'autoload -U compinit; compinit -u -D; source <(authctl completion zsh)'
      zpty -w z $'authctl profile \\t'
      local out chunk
      for i in {1..200}; do
        while zpty -r -t z chunk; do out+=$chunk; done
        [[ $out == *'delete a profile'* ]] && break
        sleep 0.05
      done
      zpty -w z $'\\C-u authctl --profile st\\t'
      for i in {1..200}; do
        while zpty -r -t z chunk; do out+=$chunk; done
        [[ $out == *'--profile staging'* ]] && break
        sleep 0.05
      done
      zpty -d z
      print -r -- $out`;
    const shown = (await shell('zsh', ['-f', '-c', driver], env)).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    for (const [name, description] of [
      ['list', 'list the profiles'],
      ['show', 'show the settings of a profile'],
      ['use', 'make a profile the default'],
      ['delete', 'delete a profile'],
    ]) {
      expect(shown).toMatch(new RegExp(`${name} +-- ${description}`));
    }
    expect(shown).toContain('authctl --profile staging');
  });
});
