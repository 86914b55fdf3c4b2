import { describe, expect, it } from 'vitest';
import { checkEndpointUrl, isLoopbackHost } from '../../src/config/check-url.js';
import { thrownAuthError } from '../stores/helpers.js';

const where = { profile: 'dev', key: 'issuer', file: '/home/u/.config/authctl/config.toml' };

describe('isLoopbackHost (RFC 8252 §8.3 loopback: 127.0.0.0/8, ::1, localhost)', () => {
  it.each(['127.0.0.1', '127.255.0.9', 'localhost', 'LOCALHOST', 'localhost.', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1'])(
    '%s is loopback',
    (host) => expect(isLoopbackHost(host)).toBe(true),
  );

  it.each(['128.0.0.1', '10.0.0.1', '0.0.0.0', 'example.com', 'localhost.example.com', '127.0.0.1.nip.io', '::2', '::ffff:10.0.0.1', ''])(
    '%s is not loopback',
    (host) => expect(isLoopbackHost(host)).toBe(false),
  );
});

describe('checkEndpointUrl', () => {
  it('returns the parsed URL for https and for loopback http', () => {
    expect(checkEndpointUrl('https://idp.example.com/realms/r', where).href).toBe('https://idp.example.com/realms/r');
    expect(checkEndpointUrl('http://127.0.0.1:8080', where).port).toBe('8080');
  });

  it('http:// to a non-loopback host is CONFIG_INVALID naming the URL, the profile and the key', () => {
    const error = thrownAuthError(() => checkEndpointUrl('http://idp.example.com', where));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toBe(
      `${where.file}: profiles.dev.issuer must use https:// for the non-loopback host idp.example.com (got "http://idp.example.com"); plain http would send tokens unencrypted`,
    );
    expect(error.details).toMatchObject({ file: where.file, profile: 'dev', key: 'profiles.dev.issuer' });
  });

  it('allowHttp lets a non-loopback http:// URL through', () => {
    expect(checkEndpointUrl('http://idp.example.com', { ...where, allowHttp: true }).hostname).toBe('idp.example.com');
  });

  it('a malformed URL is CONFIG_INVALID', () => {
    const error = thrownAuthError(() => checkEndpointUrl('idp.example.com/realms', where));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toBe(`${where.file}: profiles.dev.issuer must be an absolute http(s) URL (got "idp.example.com/realms")`);
  });

  it('a non-http scheme is CONFIG_INVALID', () => {
    expect(thrownAuthError(() => checkEndpointUrl('ftp://idp.example.com', where)).message).toContain('must be an http(s) URL');
  });

  it('a URL with a password is refused without echoing it', () => {
    const error = thrownAuthError(() => checkEndpointUrl('https://admin:hunter2@idp.example.com', where));
    expect(error.message).toBe(`${where.file}: profiles.dev.issuer must not contain a username or password`);
    const malformed = thrownAuthError(() => checkEndpointUrl('https://admin:hunter2@', where));
    expect(malformed.message).not.toContain('hunter2');
  });
});
