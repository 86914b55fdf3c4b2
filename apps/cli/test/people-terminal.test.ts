import { describe, expect } from 'vitest';
import { devProfileTest as test } from './support/fixtures.js';
import { configToml, idpProfile } from './support/profiles.js';
import { startInRawTerminal, type RawTerminal } from './support/raw-terminal.js';

/** Any escape sequence (colour, cursor, erase). */
const ESCAPE = /\x1b\[/;
/** A colour or text-attribute sequence (SGR). */
const SGR = /\x1b\[[0-9;]*m/;
/** What the device flow prints in every mode: where to go, which code to enter. */
const INSTRUCTIONS = /To log in, open (\S+) and enter the code ([A-Z0-9-]+)/;
/** Unicode half and full blocks: what a terminal QR code is drawn with. */
const QR_LINE = /^ *(?:\x1b\[[0-9;]*m)*([█▀▄ ]{21,})(?:\x1b\[[0-9;]*m)*\r?$/gm;
/** One redraw of the countdown: back to the line start, erase it, write the time left. */
const COUNTDOWN = /\r\x1b\[2KWaiting for approval of code [A-Z0-9-]+… (\d+):(\d\d) left/;

function secondsLeft(redraw: RegExpExecArray): number {
  return Number(redraw[1]) * 60 + Number(redraw[2]);
}

/** The first countdown redraw, and the next one that shows a different time. */
async function twoCountdownValues(terminal: RawTerminal): Promise<[number, number]> {
  const first = await terminal.waitFor(COUNTDOWN);
  for (let from = first.index + first[0].length; ; ) {
    const next = await terminal.waitFor(COUNTDOWN, { from });
    if (secondsLeft(next) !== secondsLeft(first)) return [secondsLeft(first), secondsLeft(next)];
    from = next.index + next[0].length;
  }
}

describe('device flow for a person at a terminal', () => {
  test('on a real pty: the code boxed, a QR code of verification_uri_complete, a countdown redrawn in place', async ({ idp, sandbox }) => {
    const terminal = startInRawTerminal(sandbox, ['login', '--flow', 'device']);
    const [, uri, code] = await terminal.waitFor(INSTRUCTIONS);

    // The code is shown on its own, boxed, before anything else.
    expect(terminal.output()).toMatch(new RegExp(`│  ${code}  │`));
    // The QR code: a square block of half-block lines of equal width, then the URL it encodes.
    const qr = [...terminal.output().matchAll(QR_LINE)].map((line) => line[1]!);
    expect(qr.length, terminal.output()).toBeGreaterThanOrEqual(11);
    expect(new Set(qr.map((line) => [...line].length)).size).toBe(1);
    expect(terminal.output()).toContain(`Scan to open ${uri}?user_code=${code}`);

    // The countdown is redrawn in place (carriage return, erase line) and goes down from the code's lifetime.
    const [first, next] = await twoCountdownValues(terminal);
    expect(first).toBeLessThanOrEqual(600);
    expect(next).toBeLessThan(first);

    await idp.user.approveDevice(uri!, code!);
    const { code: exitCode, output } = await terminal.done;
    expect(exitCode, output).toBe(0);
    // The countdown line is wiped before the result is printed (on a machine without a
    // usable keyring, the store's one fallback warning may come first).
    expect(output).toMatch(/\r\x1b\[2K(?:warning: [^\n]*\n)?Logged in to profile "dev"/);
  });

  test('the same login piped: plain lines only, no escape codes, no QR code, no countdown', async ({ idp, sandbox }) => {
    const run = sandbox.start(['login', '--flow', 'device'], { env: { NO_COLOR: '' }, killAfterMs: 60_000 });
    const line = await run.expect(INSTRUCTIONS, 'stderr');
    const [, uri, code] = INSTRUCTIONS.exec(line)!;
    await idp.user.approveDevice(uri!, code!);
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(line);
    expect(result.stderr).not.toMatch(ESCAPE);
    expect(result.stderr).not.toMatch(/[█▀▄]/);
    expect(result.stderr).not.toMatch(/left/);
    expect(result.stdout).toBe('');
  });
});

describe('NO_COLOR and --no-color', () => {
  const failing = ['--profile', 'nowhere', 'status'];

  test('on a terminal errors are in colour by default', async ({ sandbox }) => {
    const { code, output } = await startInRawTerminal(sandbox, failing, { NO_COLOR: '' }).done;
    expect(code).toBe(2);
    expect(output).toMatch(SGR);
  });

  test('NO_COLOR with any non-empty value turns colour off, like --no-color', async ({ sandbox }) => {
    for (const [args, env] of [
      [failing, { NO_COLOR: '1' }],
      [failing, { NO_COLOR: 'yes' }],
      [['--no-color', ...failing], { NO_COLOR: '' }],
    ] as const) {
      const { code, output } = await startInRawTerminal(sandbox, [...args], env).done;
      expect(code).toBe(2);
      expect(output).toMatch(/^authctl: .*no profile "nowhere"/m);
      expect(output, `${args.join(' ')} with NO_COLOR=${JSON.stringify(env.NO_COLOR)}`).not.toMatch(SGR);
    }
  });

  test('the device code is bold with colour on; with NO_COLOR the QR code and countdown are drawn all the same', async ({ idp, sandbox }) => {
    const coloured = startInRawTerminal(sandbox, ['login', '--flow', 'device'], { NO_COLOR: '' });
    const [, uri, code] = await coloured.waitFor(INSTRUCTIONS);
    expect(coloured.output()).toContain(`\x1b[1m${code}\x1b[22m`);
    await idp.user.approveDevice(uri!, code!);
    expect((await coloured.done).code).toBe(0);

    // Another profile, so this second login of alice is not a re-login that asks before replacing.
    await sandbox.writeConfig(configToml({ dev: idpProfile(idp.issuer), other: idpProfile(idp.issuer) }, 'dev'));
    const plain = startInRawTerminal(sandbox, ['login', '--flow', 'device', '--profile', 'other'], { NO_COLOR: '1' });
    const [, plainUri, plainCode] = await plain.waitFor(INSTRUCTIONS);
    await plain.waitFor(COUNTDOWN);
    expect(plain.output()).not.toMatch(SGR);
    expect([...plain.output().matchAll(QR_LINE)].length).toBeGreaterThanOrEqual(11);
    await idp.user.approveDevice(plainUri!, plainCode!);
    expect((await plain.done).code).toBe(0);
  });
});
