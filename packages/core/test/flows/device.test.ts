import { startTestIdP, type TestIdP } from '@auth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login } from '../../src/session/login.js';
import { emitted, recordingInteraction, type Step } from './support/interaction.js';
import { sessionFor } from './support/session.js';

let idp: TestIdP;
beforeAll(async () => {
  idp = await startTestIdP({ deviceInterval: 1 });
});
afterAll(() => idp.close());

const profile = () => ({ issuer: idp.issuer, client_id: 'authctl', flow: 'device' });

/** A person who acts on the device code as soon as it is shown. */
function personWho(act: (uri: string, code: string) => Promise<void>) {
  let acted: Promise<void> | undefined;
  const recording = recordingInteraction();
  const emit = recording.interaction.emit;
  recording.interaction.emit = (event) => {
    emit(event);
    if (event.event === 'device_code') acted = act(String(event.verification_uri), String(event.user_code));
  };
  return { ...recording, acted: () => acted };
}

describe('device authorization grant (RFC 8628)', () => {
  it('§3.2–3.4: shows the code, polls while authorization is pending, and stores the tokens once approved', async () => {
    const person = personWho((uri, code) => idp.user.approveDevice(uri, code));

    const credential = await login(sessionFor(profile(), { interaction: person.interaction }));
    await person.acted();

    const [event] = emitted(person.steps, 'device_code');
    expect(event).toMatchObject({ user_code: expect.any(String), interval: 1, expires_in: expect.any(Number) });
    expect(event?.verification_uri).toMatch(new RegExp(`^${idp.issuer}/device`));
    expect(person.steps).toContainEqual({ kind: 'print', message: expect.stringContaining(String(event?.user_code)) });
    expect(credential.flow).toBe('device');
    expect(credential.subject).toBe('alice');
    expect(credential.tokens.refresh_token).toBeDefined();
    expect(emitted(person.steps, 'logged_in')).toEqual([
      { event: 'logged_in', profile: 'dev', expires_at: credential.tokens.expires_at },
    ]);
  });

  it('opens verification_uri_complete unless --no-browser', async () => {
    const opened = personWho((uri, code) => idp.user.approveDevice(uri, code));
    await login(sessionFor(profile(), { interaction: opened.interaction }));
    const [event] = emitted(opened.steps, 'device_code');
    expect(opened.steps).toContainEqual({ kind: 'open', url: event?.verification_uri_complete });

    const notOpened = personWho((uri, code) => idp.user.approveDevice(uri, code));
    await login(sessionFor(profile(), { interaction: notOpened.interaction }), { options: { noBrowser: true } });
    expect(notOpened.steps.filter((step: Step) => step.kind === 'open')).toEqual([]);
  });

  it('RFC 8628 §3.5: slow_down adds 5 seconds to the polling interval', async () => {
    idp.slowDownNext(1);
    const before = idp.devicePolls().length;
    const person = personWho(async (uri, code) => {
      // Approve only after the slowed-down poll, so the poll after it is the one that succeeds.
      while (idp.devicePolls().length < before + 1) await new Promise((r) => setTimeout(r, 50));
      await idp.user.approveDevice(uri, code);
    });

    await login(sessionFor(profile(), { interaction: person.interaction }));

    const polls = idp.devicePolls().slice(before);
    expect(polls).toHaveLength(2);
    // interval 1 s + 5 s; generous slack below for timer granularity, none needed above.
    expect(polls[1]! - polls[0]!).toBeGreaterThanOrEqual(5_900);
  }, 20_000);

  it('§3.5: expired_token from the server ends the login with EXPIRED_TOKEN and a hint to log in again', async () => {
    idp.setDeviceCodeTtl(2);
    try {
      const person = personWho(async () => {});
      const failure = login(sessionFor(profile(), { interaction: person.interaction }));

      await expect(failure).rejects.toMatchObject({
        code: 'EXPIRED_TOKEN',
        details: { oauthError: 'expired_token', status: 400, hint: expect.stringContaining('authctl login --profile dev') },
      });
    } finally {
      idp.setDeviceCodeTtl(600);
    }
  });

  it('§3.5: access_denied ends the login with ACCESS_DENIED', async () => {
    const person = personWho((uri, code) => idp.user.denyDevice(uri, code));

    await expect(login(sessionFor(profile(), { interaction: person.interaction }))).rejects.toMatchObject({
      code: 'ACCESS_DENIED',
      details: { oauthError: 'access_denied' },
    });
  });

  it('reports progress on every poll and stops polling when cancelled', async () => {
    const controller = new AbortController();
    const { interaction, steps } = recordingInteraction();
    interaction.progress = (message) => {
      steps.push({ kind: 'progress', message });
      controller.abort();
    };
    const before = idp.devicePolls().length;

    await expect(login(sessionFor(profile(), { interaction, signal: controller.signal }))).rejects.toMatchObject({
      code: 'CANCELLED',
    });
    expect(steps.filter((step) => step.kind === 'progress')).toHaveLength(1);
    expect(idp.devicePolls().length - before).toBeLessThanOrEqual(1);
  });
});
