import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsStsDouble, type AwsStsDouble, type StsCredentials } from '../src/index.js';

// The double checks SigV4 for real: these requests are signed here with the AWS SDK's signer and
// sent as a client would, then altered the way CVE-2020-16250's attacker altered them.

const BODY = 'Action=GetCallerIdentity&Version=2011-06-15';
let clockOffset = 0;
let sts: AwsStsDouble;
beforeAll(async () => {
  sts = await startAwsStsDouble({ region: 'eu-west-1', now: () => Math.floor(Date.now() / 1000) + clockOffset });
});
afterAll(() => sts.close());

interface Signing {
  credentials?: StsCredentials;
  host?: string;
  query?: Record<string, string>;
  region?: string;
  body?: string;
}

/** A GetCallerIdentity request signed as the SDK signs it, sent to the double (whatever host it was signed for). */
async function send(signing: Signing = {}, sent: { body?: string; search?: string } = {}): Promise<{ status: number; type: string | null; text: string }> {
  const host = signing.host ?? new URL(sts.url).host;
  const signer = new SignatureV4({ credentials: signing.credentials ?? sts.credentials, region: signing.region ?? sts.region, service: 'sts', sha256: Sha256, applyChecksum: false });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'https:',
    hostname: host,
    path: '/',
    query: signing.query ?? {},
    headers: { host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: signing.body ?? BODY,
  });
  const { host: _host, ...headers } = signed.headers;
  const query = sent.search ?? (signing.query === undefined ? '' : `?${new URLSearchParams(signing.query)}`);
  const response = await fetch(`${sts.url}/${query}`, { method: 'POST', headers, body: sent.body ?? signing.body ?? BODY });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

describe('AWS STS double (GetCallerIdentity)', () => {
  it('answers a correctly signed request with the documented GetCallerIdentityResponse, as text/xml', async () => {
    const answer = await send();

    expect(answer.status).toBe(200);
    expect(answer.type).toBe('text/xml');
    expect(answer.text).toContain('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">');
    expect(answer.text).toContain(`<Arn>${sts.principal.arn}</Arn>`);
    expect(answer.text).toContain(`<Account>${sts.account}</Account>`);
  });

  it('a temporary key needs its session token: signed in, it verifies', async () => {
    const role = sts.issueCredentials({ arn: `arn:aws:sts::${sts.account}:assumed-role/ci/session-1` }, { temporary: true });

    const answer = await send({ credentials: role });

    expect(answer.status).toBe(200);
    expect(answer.text).toMatch(/<UserId>AROA[A-Z2-7]{17}:session-1<\/UserId>/);
  });

  it('tampered: a body other than the one signed gets 403 SignatureDoesNotMatch', async () => {
    const answer = await send({}, { body: 'Action=GetCallerIdentity&Version=2011-06-15&X=1' });

    expect(answer.status).toBe(403);
    expect(answer.text).toContain('<Code>SignatureDoesNotMatch</Code>');
  });

  it('tampered: a signature made with another secret gets 403 SignatureDoesNotMatch', async () => {
    const answer = await send({ credentials: { ...sts.credentials, secretAccessKey: 'not-the-secret-not-the-secret-not-the-sec' } });

    expect(answer.status).toBe(403);
    expect(answer.text).toContain('<Code>SignatureDoesNotMatch</Code>');
  });

  it('re-hosted: a request signed for another host gets 403 SignatureDoesNotMatch', async () => {
    const answer = await send({ host: 'sts.eu-west-1.amazonaws.com' });

    expect(answer.status).toBe(403);
    expect(answer.text).toContain('<Code>SignatureDoesNotMatch</Code>');
  });

  it('query-carrying: a request with a query string, even one signed, is refused', async () => {
    const answer = await send({ query: { Action: 'GetCallerIdentity', Version: '2011-06-15' } });

    expect(answer.status).toBe(404);
    expect(answer.text).toContain('<Code>MalformedQueryString</Code>');
  });

  it('a key STS does not know gets 403 InvalidClientTokenId', async () => {
    const answer = await send({ credentials: { accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: 'x'.repeat(40) } });

    expect(answer.status).toBe(403);
    expect(answer.text).toContain('<Code>InvalidClientTokenId</Code>');
    expect(answer.text).toContain('<Message>The security token included in the request is invalid.</Message>');
  });

  it('a request signed for another region gets 403 SignatureDoesNotMatch naming the region', async () => {
    const answer = await send({ region: 'us-east-1' });

    expect(answer.status).toBe(403);
    expect(answer.text).toContain("Credential should be scoped to a valid region, not 'us-east-1'.");
  });

  it('a signature more than 15 minutes old on its clock gets 403 "Signature expired: … is now earlier than …"', async () => {
    clockOffset = 16 * 60;
    try {
      const answer = await send();

      expect(answer.status).toBe(403);
      expect(answer.text).toMatch(/<Message>Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)<\/Message>/);
    } finally {
      clockOffset = 0;
    }
  });

  it('a signature more than 15 minutes ahead of its clock gets 403 "Signature not yet current"', async () => {
    clockOffset = -16 * 60;
    try {
      const answer = await send();

      expect(answer.status).toBe(403);
      expect(answer.text).toContain('Signature not yet current');
    } finally {
      clockOffset = 0;
    }
  });

  it('another action, correctly signed, gets 400 InvalidAction', async () => {
    const answer = await send({ body: 'Action=AssumeRole&Version=2011-06-15' });

    expect(answer.status).toBe(400);
    expect(answer.text).toContain('<Code>InvalidAction</Code>');
  });

  it('answerWith makes it misbehave for a verifier test, and undefined makes it behave again', async () => {
    sts.answerWith({ status: 302, headers: { location: 'https://attacker.example/' } });
    const redirected = await fetch(`${sts.url}/`, { method: 'POST', body: BODY, redirect: 'manual' });
    sts.answerWith(undefined);

    expect(redirected.status).toBe(302);
    expect(redirected.headers.get('location')).toBe('https://attacker.example/');
    expect((await send()).status).toBe(200);
  });
});
