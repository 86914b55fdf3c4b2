import { describe, expect, it } from 'vitest';
import { kapacitorUrl } from '../../src/client/kapacitor-url.js';

/** Go's `url.Parse` userinfo rules (net/url `validUserinfo`): what an encoded part may hold as it is. */
const GO_USERINFO = /^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/;

const HARD = [
  { username: 'john doe', password: 'p:a@s/s%w o#r?d' },
  { username: 'a@b.example', password: '%41%' },
  { username: 'jöhn', password: '£€ ~!*()\'' },
];

describe('KAPACITOR_URL: the profile URL with the credentials as percent-encoded userinfo', () => {
  it('the kapacitor docs form for plain credentials: http://johndoe:Pa5sw0Rd@localhost:9092', () => {
    expect(kapacitorUrl('http://localhost:9092', { username: 'johndoe', password: 'Pa5sw0Rd' })).toBe('http://johndoe:Pa5sw0Rd@localhost:9092');
  });

  it('`:`, `@`, `/`, `%`, `#`, `?` and spaces are escaped: the userinfo is one Go accepts, and a URL parser gives the parts back', () => {
    for (const credential of HARD) {
      const url = kapacitorUrl('https://kapacitor.example.com:9092', credential);
      const userinfo = url.slice('https://'.length, url.lastIndexOf('@'));
      expect(userinfo).toMatch(GO_USERINFO);
      // Exactly one `:` separates the parts (Go cuts the userinfo at the first one).
      expect(userinfo.split(':')).toHaveLength(2);
      const parsed = new URL(url);
      expect(parsed.host).toBe('kapacitor.example.com:9092');
      expect({ username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) }).toEqual(credential);
    }
  });
});
