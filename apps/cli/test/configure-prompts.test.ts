import { describe, expect } from 'vitest';
import { test } from './support/fixtures.js';
import type { RunningAuthctl, Sandbox } from './support/sandbox.js';

const LABEL = /\? ([^\n]+?) (?:\[[^\]\n]*\]:|\[input is)/;

/** Answers each question of an interactive `configure` on a terminal; returns the labels in the order asked. */
async function answerAll(run: RunningAuthctl, answers: Array<[RegExp, string]>, last: RegExp): Promise<string[]> {
  const asked: string[] = [];
  // Inquirer redraws a prompt on every key press: answer each label once, in order of appearance.
  for (;;) {
    const label = LABEL.exec(await run.expect(new RegExp(LABEL.source)))![1]!;
    if (label === asked.at(-1)) continue;
    asked.push(label);
    run.write(`${answers.find(([pattern]) => pattern.test(label))?.[1] ?? ''}\r`);
    if (last.test(label)) return asked;
  }
}

function configureOnTerminal(sandbox: Sandbox, profile: string): RunningAuthctl {
  return sandbox.startInTerminal(['configure', '--profile', profile]);
}

describe('interactive configure on a terminal', () => {
  test('says which profile in which file it creates, then asks in human labels (no config keys like token_url)', async ({ idp, sandbox }) => {
    const run = configureOnTerminal(sandbox, 'team');
    await run.expect(new RegExp(`Creating profile "team" in ${sandbox.configFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const asked = await answerAll(
      run,
      [
        [/^Provider/, 'oidc'],
        [/^Issuer/, idp.issuer],
        [/^Client ID/, 'authctl'],
        [/^Login flow/, 'device'],
      ],
      /^Service account ID/,
    );
    const result = await run.done;
    expect(result.code, result.stdout).toBe(0);
    expect(asked.map((label) => label.replace(/ \(.*$/, ''))).toEqual([
      'Provider',
      'Issuer',
      'Authorization URL',
      'Token URL',
      'Device URL',
      'Revocation URL',
      'Client ID',
      'Login flow',
      'Service account ID',
    ]);
    for (const label of asked) expect(label).not.toMatch(/[a-z]_[a-z]/);
  });

  test('editing an existing profile says so, and Enter keeps each current value', async ({ idp, sandbox }) => {
    const made = await sandbox.run(['configure', '--profile', 'team', '--provider', 'oidc', '--set', `issuer=${idp.issuer}`, '--client-id', 'authctl']);
    expect(made.code, made.stderr).toBe(0);
    const before = await sandbox.readConfig();

    const run = configureOnTerminal(sandbox, 'team');
    await run.expect(/Editing profile "team" in .*config\.toml; press Enter to keep the value in \[brackets\]/);
    await answerAll(run, [], /^Service account ID/);
    const result = await run.done;
    expect(result.code, result.stdout).toBe(0);
    expect(await sandbox.readConfig()).toBe(before);
  });
});
