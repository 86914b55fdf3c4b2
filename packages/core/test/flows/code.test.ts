import { startTestIdP, type TestIdP } from '@auth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODE_PROMPT, DEFAULT_CODE_REDIRECT_URI, USUAL_CODE_LIFETIME_SECONDS } from '../../src/flows/code.js';
import { login } from '../../src/session/login.js';
import { emitted, recordingInteraction, type Step } from './support/interaction.js';
import { sessionFor } from './support/session.js';

let idp: TestIdP;
beforeAll(async () => {
  idp = await startTestIdP();
});
afterAll(() => idp.close());

const profile = () => ({ issuer: idp.issuer, client_id: 'authctl', flow: 'code' });

/** A person who completes the login in some browser and pastes what `paste` makes of the redirected URL. */
function personPasting(paste: (redirected: URL) => string) {
  return recordingInteraction({
    async answer(_question, steps: readonly Step[]) {
      const [event] = emitted(steps, 'open_url');
      const redirected = await idp.user.authorize(String(event?.url), DEFAULT_CODE_REDIRECT_URI);
      return paste(new URL(redirected));
    },
  });
}

describe('paste-the-code flow (kxi --force-code)', () => {
  it('accepts the bare authorization code', async () => {
    const { interaction, steps } = personPasting((url) => url.searchParams.get('code') ?? '');

    const credential = await login(sessionFor(profile(), { interaction }), { options: { noBrowser: true } });

    expect(steps).toContainEqual({ kind: 'prompt', question: CODE_PROMPT });
    const [event] = emitted(steps, 'open_url');
    expect(new URL(String(event?.url)).searchParams.get('redirect_uri')).toBe(DEFAULT_CODE_REDIRECT_URI);
    expect(credential.flow).toBe('code');
    expect(credential.subject).toBe('alice');
  });

  it('accepts the whole redirected URL and checks its state', async () => {
    const { interaction } = personPasting((url) => `  ${url.href}\n`);

    const credential = await login(sessionFor(profile(), { interaction }), { options: { noBrowser: true } });

    expect(credential.tokens.access_token).not.toBe('');
  });

  it('rejects a pasted URL whose state belongs to another login, without redeeming its code', async () => {
    const { interaction } = personPasting((url) => {
      url.searchParams.set('state', 'from-another-login');
      return url.href;
    });
    const before = idp.grantCount('authorization_code');

    const failure = login(sessionFor(profile(), { interaction }), { options: { noBrowser: true } });

    await expect(failure).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS', message: expect.stringContaining('state') });
    expect(idp.grantCount('authorization_code')).toBe(before);
  });

  it('RFC 6749 §5.2: a pasted code the IdP answers invalid_grant for is INVALID_CREDENTIALS, saying it is wrong, used or expired', async () => {
    const { interaction } = personPasting(() => 'not-a-code');

    await expect(login(sessionFor(profile(), { interaction }), { options: { noBrowser: true } })).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
      message: `The pasted code was not accepted: it is wrong, already used or expired; a code is usually valid for ${USUAL_CODE_LIFETIME_SECONDS} seconds`,
      details: { oauthError: 'invalid_grant', status: 400, hint: expect.stringContaining('--flow code` again') },
    });
  });

  it('a code pasted twice: the second redemption is refused as already used', async () => {
    let code = '';
    const first = personPasting((url) => (code = url.searchParams.get('code') ?? ''));
    await login(sessionFor(profile(), { interaction: first.interaction }), { options: { noBrowser: true } });
    const again = recordingInteraction({ answer: async () => code });

    await expect(login(sessionFor(profile(), { interaction: again.interaction }), { options: { noBrowser: true } })).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
      message: expect.stringContaining('wrong, already used or expired'),
    });
  });

  it('uses the redirect URI configured for the profile (code_redirect_uri)', async () => {
    const redirect = 'http://localhost/callback';
    const { interaction, steps } = recordingInteraction({
      async answer(_question, recorded) {
        const [event] = emitted(recorded, 'open_url');
        return idp.user.authorize(String(event?.url), redirect);
      },
    });

    await login(sessionFor({ ...profile(), code_redirect_uri: redirect }, { interaction }), { options: { noBrowser: true } });

    const [event] = emitted(steps, 'open_url');
    expect(new URL(String(event?.url)).searchParams.get('redirect_uri')).toBe(redirect);
  });
});
