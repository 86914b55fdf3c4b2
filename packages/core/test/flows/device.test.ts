import { startTestIdP, type TestIdP } from '@auth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login } from '../../src/session/login.js';
import { fakeClock } from './support/fake-clock.js';
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
  // On a fake clock, the flow's first sleep ends once the person has acted: its first poll sees the outcome.
  const clock = fakeClock();
  const sleep = async (ms: number, signal: AbortSignal) => {
    await clock.sleep(ms, signal);
    await acted;
  };
  return { ...recording, acted: () => acted, clock: { now: clock.now, sleep } };
}

describe('device authorization grant (RFC 8628)', () => {
  it('RFC 8628 §3.2–3.4: shows the code, polls while authorization is pending, and stores the tokens once approved', async () => {
    const person = personWho((uri, code) => idp.user.approveDevice(uri, code));

    const credential = await login(sessionFor(profile(), { interaction: person.interaction, ...person.clock }));
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
    await login(sessionFor(profile(), { interaction: opened.interaction, ...opened.clock }));
    const [event] = emitted(opened.steps, 'device_code');
    expect(opened.steps).toContainEqual({ kind: 'open', url: event?.verification_uri_complete });

    const notOpened = personWho((uri, code) => idp.user.approveDevice(uri, code));
    await login(sessionFor(profile(), { interaction: notOpened.interaction, ...notOpened.clock }), { options: { noBrowser: true } });
    expect(notOpened.steps.filter((step: Step) => step.kind === 'open')).toEqual([]);
  });

  it('RFC 8628 §3.5: slow_down adds 5 seconds to the polling interval', async () => {
    const clock = fakeClock();
    idp.slowDownNext(1);
    const before = idp.devicePolls().length;
    let approve: (() => Promise<void>) | undefined;
    const person = personWho(async (uri, code) => {
      approve = () => idp.user.approveDevice(uri, code);
    });
    // Approved while the flow sleeps after the slow_down reply, so the poll after it is the one that succeeds.
    const sleep = async (ms: number, signal: AbortSignal) => {
      await clock.sleep(ms, signal);
      if (clock.slept.length === 2) await approve?.();
    };

    await login(sessionFor(profile(), { interaction: person.interaction, now: clock.now, sleep }));

    expect(clock.slept).toEqual([1_000, 6_000]);
    expect(idp.devicePolls().length - before).toBe(2);
  });

  it('RFC 8628 §3.2: gives up once expires_in (and a 30 s backstop) has passed, even if the server never says expired_token', async () => {
    const clock = fakeClock();
    idp.setDeviceCodeTtl(5);
    idp.slowDownNext(10);
    try {
      const person = personWho(async () => {});

      const failure = login(sessionFor(profile(), { interaction: person.interaction, now: clock.now, sleep: clock.sleep }));

      await expect(failure).rejects.toMatchObject({ code: 'EXPIRED_TOKEN', details: { hint: expect.stringContaining('authctl login --profile dev') } });
      // 1 + 6 + 11 + 16 = 34 s is inside 5 + 30 s; after the next sleep (21 s) it is past, and no poll is sent.
      expect(clock.slept).toEqual([1_000, 6_000, 11_000, 16_000, 21_000]);
    } finally {
      idp.slowDownNext(0);
      idp.setDeviceCodeTtl(600);
    }
  });

  it('RFC 8628 §3.5: expired_token from the server ends the login with EXPIRED_TOKEN and a hint to log in again', async () => {
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

  it('RFC 8628 §3.5: access_denied ends the login with ACCESS_DENIED', async () => {
    const person = personWho((uri, code) => idp.user.denyDevice(uri, code));

    await expect(login(sessionFor(profile(), { interaction: person.interaction, ...person.clock }))).rejects.toMatchObject({
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

    const clock = fakeClock();
    await expect(login(sessionFor(profile(), { interaction, signal: controller.signal, now: clock.now, sleep: clock.sleep }))).rejects.toMatchObject({
      code: 'CANCELLED',
    });
    expect(steps.filter((step) => step.kind === 'progress')).toHaveLength(1);
    expect(idp.devicePolls().length - before).toBeLessThanOrEqual(1);
  });
});
