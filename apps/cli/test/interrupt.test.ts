import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect } from 'vitest';
import { devProfileTest as test } from './support/fixtures.js';
import { AUTHCTL } from './support/sandbox.js';

/** 128 + SIGINT (2): what a shell reports for a command ended by Ctrl-C, so `set -e` scripts and CI stop. */
const INTERRUPTED = 130;

describe('Ctrl-C', () => {
  test('SIGINT while a device login polls: exit 130, nothing stored, no stack trace', async ({ sandbox }) => {
    const child = spawn(process.execPath, [AUTHCTL, 'login', '--flow', 'device', '--json'], { env: sandbox.env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
    await new Promise<void>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('"event":"device_code"')) resolve();
      });
      child.once('close', () => reject(new Error(`authctl exited before showing the device code:\n${stderr}`)));
    });

    child.kill('SIGINT');
    const [code, signal] = await exited;

    expect({ code, signal }, stderr).toEqual({ code: INTERRUPTED, signal: null });
    expect(stderr).toMatch(/^authctl: .*cancelled/m);
    expect(stderr).not.toMatch(/^\s+at\s/m);
    expect(await sandbox.credentialFiles()).toEqual([]);
  });
});
