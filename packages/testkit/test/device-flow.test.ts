import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import type { TestIdP } from '../src/index.js';
import { deviceAuthorization, oauth, oauthError, pollDevice, pollDeviceOnce } from './support/oauth-client.js';
import { startedIdP } from './support/started-idp.js';

const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';

let idp: TestIdP;
let as: oauth.AuthorizationServer;

beforeAll(async () => ({ idp, as } = await startedIdP({ deviceInterval: 2 })));
beforeEach(() => idp.resetCounts());
afterAll(() => idp.close());

test('RFC 8628 §3.2: the device authorization response carries the configured interval', async () => {
  const da = await deviceAuthorization(as);
  expect(da.interval).toBe(2);
  expect(da.expires_in).toBe(600);
  expect(da.verification_uri).toBe(`${idp.issuer}/device`);
  expect(da.verification_uri_complete).toContain(`user_code=`);
});

test('RFC 8628 §3.5: authorization_pending until HeadlessUser approves, then tokens with a refresh token', async () => {
  const da = await deviceAuthorization(as);
  expect(await oauthError(pollDeviceOnce(as, da.device_code))).toBe('authorization_pending');
  await idp.user.approveDevice(da.verification_uri, da.user_code, { username: 'bob', password: 'bob-password' });
  const tokens = await pollDevice(as, da.device_code);
  expect(oauth.getValidatedIdTokenClaims(tokens)?.sub).toBe('bob');
  expect(tokens.refresh_token).toBeTruthy();
  expect(tokens.expires_in).toBe(3600);
  // A device code is good for one set of tokens.
  expect(await oauthError(pollDeviceOnce(as, da.device_code))).toBe('invalid_grant');
});

test('RFC 8628 §3.3: HeadlessUser also approves through verification_uri_complete', async () => {
  const da = await deviceAuthorization(as);
  await idp.user.approveDevice(da.verification_uri_complete!, da.user_code);
  expect(oauth.getValidatedIdTokenClaims(await pollDevice(as, da.device_code))?.sub).toBe('alice');
});

test('RFC 8628 §3.5: a user who signs in and denies makes the poll answer access_denied', async () => {
  const da = await deviceAuthorization(as);
  await idp.user.denyDevice(da.verification_uri, da.user_code);
  expect(await oauthError(pollDevice(as, da.device_code))).toBe('access_denied');
});

test('HeadlessUser.approveDevice rejects a wrong password and an unknown user code', async () => {
  const da = await deviceAuthorization(as);
  await expect(idp.user.approveDevice(da.verification_uri, da.user_code, { password: 'nope' })).rejects.toThrow(/sign-in as alice refused/);
  await expect(idp.user.approveDevice(da.verification_uri, 'BCDF-GHJK')).rejects.toThrow(/user code BCDF-GHJK not accepted/);
});

test('RFC 8628 §3.5: slowDownNext(n) answers slow_down to exactly the next n polls', async () => {
  const da = await deviceAuthorization(as);
  idp.slowDownNext(2);
  expect(await oauthError(pollDeviceOnce(as, da.device_code))).toBe('slow_down');
  expect(await oauthError(pollDeviceOnce(as, da.device_code))).toBe('slow_down');
  expect(await oauthError(pollDeviceOnce(as, da.device_code))).toBe('authorization_pending');
  await idp.user.approveDevice(da.verification_uri, da.user_code);
  expect((await pollDevice(as, da.device_code)).access_token).toBeTruthy();
  expect(idp.grants().filter((g) => g.grant_type === DEVICE_CODE).map((g) => g.status)).toEqual([400, 400, 400, 200]);
});

test('slowDownNext leaves other grants alone while it waits for a device poll', async () => {
  idp.slowDownNext(1);
  const res = await oauth.clientCredentialsGrantRequest(as, { client_id: 'svc' }, oauth.ClientSecretPost('svc-secret'), {}, {
    [oauth.allowInsecureRequests]: true,
  });
  expect((await oauth.processClientCredentialsResponse(as, { client_id: 'svc' }, res)).access_token).toBeTruthy();
  const da = await deviceAuthorization(as);
  expect(await oauthError(pollDeviceOnce(as, da.device_code))).toBe('slow_down');
});

test('RFC 8628 §3.5: a device code past its lifetime answers expired_token', async () => {
  idp.setDeviceCodeTtl(1);
  try {
    const da = await deviceAuthorization(as);
    expect(da.expires_in).toBe(1);
    await sleep(2_100);
    expect(await oauthError(pollDeviceOnce(as, da.device_code))).toBe('expired_token');
  } finally {
    idp.setDeviceCodeTtl(600);
  }
  expect((await deviceAuthorization(as)).expires_in).toBe(600);
});

test('devicePolls lists the arrival time of each device_code poll, in order', async () => {
  const da = await deviceAuthorization(as);
  const before = Date.now();
  for (let i = 0; i < 3; i += 1) await oauthError(pollDeviceOnce(as, da.device_code));
  const polls = idp.devicePolls();
  expect(polls).toHaveLength(3);
  expect(polls[0]).toBeGreaterThanOrEqual(before);
  expect([...polls].sort((a, b) => a - b)).toEqual(polls);
  expect(idp.grantCount(DEVICE_CODE)).toBe(3);
});
