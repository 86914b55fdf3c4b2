import { describe, expect, it } from 'vitest';
import { didYouMean } from '../src/did-you-mean.js';

describe('didYouMean', () => {
  it('names the candidate one or two edits away, the closest first', () => {
    expect(didYouMean('devv', ['dev', 'prod'])).toBe('dev');
    expect(didYouMean('prdo', ['dev', 'prod'])).toBe('prod');
    expect(didYouMean('keycloack', ['oidc', 'keycloak', 'keycloak-x'])).toBe('keycloak');
  });

  it('names nothing when nothing is close, or the name itself exists', () => {
    expect(didYouMean('staging', ['dev', 'prod'])).toBeUndefined();
    expect(didYouMean('b', ['a'])).toBeUndefined();
    expect(didYouMean('dev', ['dev'])).toBeUndefined();
  });
});
