import { describe, expect, it } from 'vitest';
import { DEFAULT_TOKEN_LIFETIME_SECONDS, toTokenSet, tokenSubject } from '../../src/flows/token-response.js';

const NOW = 1_700_000_000;
const jwt = (payload: object) => `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;

describe('token endpoint response to TokenSet', () => {
  it('RFC 6749 §5.1: expires_at is issued_at + expires_in', () => {
    const tokens = toTokenSet({ access_token: 'opaque', token_type: 'bearer', expires_in: 3600, refresh_token: 'r', scope: 'openid' }, NOW);

    expect(tokens).toEqual({
      access_token: 'opaque',
      token_type: 'Bearer',
      expires_at: NOW + 3600,
      issued_at: NOW,
      refresh_token: 'r',
      scope: 'openid',
    });
  });

  it('without expires_in, a JWT access token lasts until its own exp', () => {
    expect(toTokenSet({ access_token: jwt({ exp: NOW + 120, sub: 'svc' }), token_type: 'bearer' }, NOW).expires_at).toBe(NOW + 120);
  });

  it(`without expires_in or a JWT, the token is assumed to last ${DEFAULT_TOKEN_LIFETIME_SECONDS} s`, () => {
    expect(toTokenSet({ access_token: 'opaque', token_type: 'bearer' }, NOW).expires_at).toBe(NOW + DEFAULT_TOKEN_LIFETIME_SECONDS);
    expect(toTokenSet({ access_token: 'a.not-base64-json.c', token_type: 'bearer' }, NOW).expires_at).toBe(
      NOW + DEFAULT_TOKEN_LIFETIME_SECONDS,
    );
  });

  it('the subject is the ID token sub, else a JWT access token sub', () => {
    const base = { token_type: 'Bearer', expires_at: NOW + 60 };
    expect(tokenSubject({ ...base, access_token: jwt({ sub: 'svc' }), id_token: jwt({ sub: 'alice' }) })).toBe('alice');
    expect(tokenSubject({ ...base, access_token: jwt({ sub: 'svc' }) })).toBe('svc');
    expect(tokenSubject({ ...base, access_token: 'opaque' })).toBeUndefined();
  });
});
