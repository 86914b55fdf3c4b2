import { startAwsStsDouble, startBlackhole, startSocketDestroyer, type AwsStsDouble } from '@auth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindingFor, keysEnv, prove, rejection, verify, withHeaders } from './support.js';

// How the verifier reads what STS answers (AWS STS API Reference, "Common Errors" and
// "GetCallerIdentity"): a refusal is a denial with STS's code and message for the log, a failure of
// STS itself is NETWORK (the login API answers 503), and no answer in time is TIMEOUT.

const FIFTEEN_MINUTES = 15 * 60;
let clockOffset = 0;
let sts: AwsStsDouble;
beforeAll(async () => {
  sts = await startAwsStsDouble({ region: 'eu-west-1', now: () => Math.floor(Date.now() / 1000) + clockOffset });
});
afterAll(() => sts.close());

describe('@auth/provider-aws-iam: STS answers', () => {
  it('expired: a signature whose X-Amz-Date is more than 15 minutes old gets 403 "Signature expired", a denial', async () => {
    const proof = await prove(sts);
    clockOffset = FIFTEEN_MINUTES + 60;
    try {
      const error = await rejection(verify(proof.body, bindingFor(sts)));

      expect(error.code).toBe('ACCESS_DENIED');
      expect(error.message).toMatch(/STS refused the signed request \(403: SignatureDoesNotMatch: Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)\)/);
    } finally {
      clockOffset = 0;
    }
  });

  it('403 InvalidClientTokenId: keys STS does not know are denied', async () => {
    const proof = await prove(sts, { env: { AWS_ACCESS_KEY_ID: 'AKIAUNKNOWNUNKNOWN00', AWS_SECRET_ACCESS_KEY: 'x'.repeat(40) } });

    const error = await rejection(verify(proof.body, bindingFor(sts)));

    expect(error.code).toBe('ACCESS_DENIED');
    expect(error.message).toContain('403: InvalidClientTokenId: The security token included in the request is invalid.');
  });

  it('403 SignatureDoesNotMatch: a signed header changed after signing is denied', async () => {
    const proof = await prove(sts);
    const body = withHeaders(proof, (headers) => ({ ...headers, 'X-Amz-Date': headers['X-Amz-Date']!.replace(/\d(Z)$/, (d) => `${(Number(d[0]) + 1) % 10}Z`) }));

    const error = await rejection(verify(body, bindingFor(sts)));

    expect(error.code).toBe('ACCESS_DENIED');
    expect(error.message).toContain('403: SignatureDoesNotMatch: The request signature we calculated does not match');
  });

  it('403 InvalidClientTokenId: a temporary key presented with another session’s token is denied', async () => {
    const role = sts.issueCredentials({ arn: `arn:aws:sts::${sts.account}:assumed-role/ci/s` }, { temporary: true });
    const other = sts.issueCredentials({ arn: `arn:aws:sts::${sts.account}:assumed-role/ci/t` }, { temporary: true });
    const body = withHeaders(await prove(sts, { env: keysEnv(role) }), (headers) => ({ ...headers, 'X-Amz-Security-Token': other.sessionToken! }));

    const error = await rejection(verify(body, bindingFor(sts)));

    expect(error.code).toBe('ACCESS_DENIED');
    expect(error.message).toContain('InvalidClientTokenId');
  });

  it('an answer larger than the injected fetch reads is denied, not parsed', async () => {
    sts.answerWith({ status: 200, body: `<GetCallerIdentityResponse>${' '.repeat(2 * 1024 * 1024)}`, headers: { 'content-type': 'text/xml' } });
    try {
      const error = await rejection(verify((await prove(sts)).body, bindingFor(sts)));

      expect(error.code).toBe('ACCESS_DENIED');
      expect(error.message).toContain('oversized answer');
    } finally {
      sts.answerWith(undefined);
    }
  });

  it('a 5xx from STS is NETWORK (503 at the login API), not a denial', async () => {
    sts.answerWith({ status: 503, body: '<ErrorResponse><Error><Code>ServiceUnavailable</Code><Message>try later</Message></Error></ErrorResponse>', headers: { 'content-type': 'text/xml' } });
    try {
      const error = await rejection(verify((await prove(sts)).body, bindingFor(sts)));

      expect(error.code).toBe('NETWORK');
      expect(error.message).toContain('503: ServiceUnavailable: try later');
    } finally {
      sts.answerWith(undefined);
    }
  });

  it('an STS that drops the connection is NETWORK', async () => {
    const dropping = await startSocketDestroyer();
    try {
      const proof = await prove(sts, { settings: { region: sts.region, sts_endpoint: dropping.url, server_id: 'auth.example.com' } });

      const error = await rejection(verify(proof.body, { ...bindingFor(sts), sts_endpoint: dropping.url }));

      expect(error.code).toBe('NETWORK');
    } finally {
      await dropping.close();
    }
  });

  it('an STS that never answers is TIMEOUT within the injected time limit', async () => {
    const blackhole = await startBlackhole();
    try {
      const proof = await prove(sts, { settings: { region: sts.region, sts_endpoint: blackhole.url, server_id: 'auth.example.com' } });

      const error = await rejection(verify(proof.body, { ...bindingFor(sts), sts_endpoint: blackhole.url }, 300));

      expect(error.code).toBe('TIMEOUT');
    } finally {
      await blackhole.close();
    }
  });
});
