// Contract double of AWS STS answering `GetCallerIdentity`, following the AWS STS API Reference:
// "GetCallerIdentity" (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html:
// the request `Action=GetCallerIdentity&Version=2011-06-15` and the `GetCallerIdentityResponse`
// XML), "Common Errors" and "Common Parameters" (https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html,
// .../CommonParameters.html: `X-Amz-Date`, `X-Amz-Security-Token`, the `ErrorResponse` XML and its
// statuses), and the IAM User Guide's "Signature Version 4 for API requests"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html): the signature is really
// recomputed with the double's secret key over the request as received, signed for the double's
// own host, and refused outside STS's 15-minute window (`Signature expired: … is now earlier than …`).
//
// Where AWS would serve more than this double does, the double is narrower on purpose: it
// answers a query string (which the real query API would read) with `MalformedQueryString`, so a
// verifier that forwards a caller's query string fails its tests instead of passing them.
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { serveDouble, type Reply } from './double-server.js';

const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
const STS_VERSION = '2011-06-15';
/** STS refuses a signature more than 15 minutes away from its clock. */
const SKEW_SECONDS = 15 * 60;
const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

export interface AwsStsDoubleOptions {
  /** The region this STS stands for (default `us-east-1`); requests must be signed for it. */
  region?: string;
  /** STS's clock, epoch seconds (default: the system clock). */
  now?: () => number;
}

/** A caller STS knows: what `GetCallerIdentity` answers for its keys. */
export interface StsPrincipal {
  /** `arn:aws:iam::<account>:user/<name>` or `arn:aws:sts::<account>:assumed-role/<role>/<session>`. */
  arn: string;
  /** `AIDA…` for a user, `AROA…:<session>` for an assumed role (default: derived from the ARN). */
  userId?: string;
}

/** Keys in the shape of the AWS SDK's credentials; `sessionToken` only for temporary ones. */
export interface StsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface AwsStsDouble {
  /** `http://127.0.0.1:<port>`, standing for `https://sts.<region>.amazonaws.com`. */
  url: string;
  region: string;
  /** The account the default caller belongs to (12 digits). */
  account: string;
  /** Long-term keys of the default caller, an IAM user of `account`. */
  credentials: StsCredentials;
  /** The default caller. */
  principal: Required<StsPrincipal>;
  /** Keys for another caller; `temporary` ones carry a session token (as an assumed role's do). */
  issueCredentials(principal: StsPrincipal, options?: { temporary?: boolean }): StsCredentials;
  /** Answer every request with `reply` from now on (a redirect, a wrong content type, a forged body), or behave again with `undefined`. */
  answerWith(reply: Reply | undefined): void;
  /** Requests as received: a verifier's checks that must happen before it calls STS show up here as none. */
  requests: Array<{ method: string; path: string; search: string; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}

export async function startAwsStsDouble(options: AwsStsDoubleOptions = {}): Promise<AwsStsDouble> {
  const region = options.region ?? 'us-east-1';
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const account = String(100_000_000_000 + (randomBytes(5).readUIntBE(0, 5) % 900_000_000_000));
  const keys = new Map<string, { secretAccessKey: string; sessionToken?: string; principal: Required<StsPrincipal> }>();
  const requests: AwsStsDouble['requests'] = [];
  let override: Reply | undefined;
  let host = '';

  function issueCredentials(principal: StsPrincipal, { temporary = false } = {}): StsCredentials {
    const accessKeyId = `${temporary ? 'ASIA' : 'AKIA'}${randomId(16)}`;
    const secretAccessKey = randomBytes(30).toString('base64');
    const sessionToken = temporary ? randomBytes(96).toString('base64') : undefined;
    const session = /:assumed-role\/[^/]+\/(.+)$/.exec(principal.arn)?.[1];
    const userId = principal.userId ?? (session === undefined ? `AIDA${randomId(17)}` : `AROA${randomId(17)}:${session}`);
    keys.set(accessKeyId, { secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }), principal: { arn: principal.arn, userId } });
    return { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) };
  }

  const principal = { arn: `arn:aws:iam::${account}:user/ci-runner`, userId: `AIDA${randomId(17)}` };
  const credentials = issueCredentials(principal);

  const server = await serveDouble(async (request) => {
    requests.push({ method: request.method, path: request.path, search: request.search, headers: request.headers });
    if (override !== undefined) return override;
    if (request.search !== '') return stsError(404, 'Sender', 'MalformedQueryString', 'This double serves GetCallerIdentity as a form POST only.');
    if (request.method !== 'POST' || request.path !== '/') return stsError(404, 'Sender', 'InvalidAction', 'Only POST / is served.');

    const authorization = header(request.headers, 'authorization');
    if (authorization === undefined) return stsError(403, 'Sender', 'MissingAuthenticationToken', 'Request is missing Authentication Token');
    const parsed = AUTHORIZATION.exec(authorization);
    if (parsed === null) return stsError(400, 'Sender', 'IncompleteSignature', `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.`);
    const [, accessKeyId = '', scopeDate = '', scopeRegion = '', scopeService = '', signedHeaderList = '', signature = ''] = parsed;

    const key = keys.get(accessKeyId);
    if (key === undefined || (key.sessionToken !== undefined && header(request.headers, 'x-amz-security-token') !== key.sessionToken)) {
      return stsError(403, 'Sender', 'InvalidClientTokenId', 'The security token included in the request is invalid.');
    }
    if (scopeRegion !== region) return signatureMismatch(`Credential should be scoped to a valid region, not '${scopeRegion}'.`);
    if (scopeService !== 'sts') return signatureMismatch(`Credential should be scoped to correct service: 'sts'.`);

    const amzDate = header(request.headers, 'x-amz-date');
    const date = amzDate === undefined ? undefined : parseAmzDate(amzDate);
    if (amzDate === undefined || date === undefined) {
      return stsError(400, 'Sender', 'IncompleteSignature', `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.`);
    }
    if (!amzDate.startsWith(scopeDate)) {
      return signatureMismatch(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`);
    }
    const clock = now();
    const signedAt = date.getTime() / 1000;
    if (signedAt < clock - SKEW_SECONDS) {
      return signatureMismatch(`Signature expired: ${amzDate} is now earlier than ${formatAmzDate(clock - SKEW_SECONDS)} (${formatAmzDate(clock)} - 15 min.)`);
    }
    if (signedAt > clock + SKEW_SECONDS) {
      return signatureMismatch(`Signature not yet current: ${amzDate} is still later than ${formatAmzDate(clock + SKEW_SECONDS)} (${formatAmzDate(clock)} + 15 min.)`);
    }

    const signedHeaders = signedHeaderList.split(';');
    if (!signedHeaders.includes('host')) return stsError(400, 'Sender', 'IncompleteSignature', `'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.`);
    // The signature is recomputed for this STS's own host, whatever Host the request carries: a
    // request signed for another host does not verify here, as it would not at AWS.
    const headers: Record<string, string> = {};
    for (const name of signedHeaders) {
      const value = name === 'host' ? host : header(request.headers, name);
      if (value === undefined) return signatureMismatch(SIGNATURE_MISMATCH);
      headers[name] = value;
    }
    const signer = new SignatureV4({
      credentials: { accessKeyId, secretAccessKey: key.secretAccessKey },
      region,
      service: 'sts',
      sha256: Sha256,
      applyChecksum: false,
    });
    const expected = await signer.sign(
      { method: request.method, protocol: 'https:', hostname: host, path: request.path, query: {}, headers, body: request.text },
      { signingDate: date, signableHeaders: new Set(signedHeaders) },
    );
    const expectedSignature = /Signature=([0-9a-f]{64})$/.exec(String(expected.headers.authorization))?.[1] ?? '';
    if (!timingSafeEqual(Buffer.from(expectedSignature), Buffer.from(signature))) return signatureMismatch(SIGNATURE_MISMATCH);

    const form = request.form;
    if (form.get('Action') !== 'GetCallerIdentity' || form.get('Version') !== STS_VERSION) {
      return stsError(400, 'Sender', 'InvalidAction', `Could not find operation ${form.get('Action') ?? ''} for version ${form.get('Version') ?? ''}`);
    }
    return xml(
      200,
      `<GetCallerIdentityResponse xmlns="${STS_NAMESPACE}">\n` +
        `  <GetCallerIdentityResult>\n` +
        `    <Arn>${key.principal.arn}</Arn>\n` +
        `    <UserId>${key.principal.userId}</UserId>\n` +
        `    <Account>${accountOf(key.principal.arn)}</Account>\n` +
        `  </GetCallerIdentityResult>\n` +
        `  <ResponseMetadata>\n    <RequestId>${randomUUID()}</RequestId>\n  </ResponseMetadata>\n` +
        `</GetCallerIdentityResponse>\n`,
    );
  });
  host = new URL(server.url).host;

  return {
    url: server.url,
    region,
    account,
    credentials,
    principal,
    issueCredentials,
    answerWith: (reply) => {
      override = reply;
    },
    requests,
    close: () => server.close(),
  };
}

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/** The "Common Errors" `ErrorResponse` document. */
function stsError(status: number, type: 'Sender' | 'Receiver', code: string, message: string): Reply {
  return xml(
    status,
    `<ErrorResponse xmlns="${STS_NAMESPACE}">\n` +
      `  <Error>\n    <Type>${type}</Type>\n    <Code>${code}</Code>\n    <Message>${escapeXml(message)}</Message>\n  </Error>\n` +
      `  <RequestId>${randomUUID()}</RequestId>\n` +
      `</ErrorResponse>\n`,
  );
}

function signatureMismatch(message: string): Reply {
  return stsError(403, 'Sender', 'SignatureDoesNotMatch', message);
}

function xml(status: number, body: string): Reply {
  return { status, body, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() } };
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function parseAmzDate(value: string): Date | undefined {
  const parts = AMZ_DATE.exec(value);
  if (parts === null) return undefined;
  const [, y, mo, d, h, mi, s] = parts.map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function formatAmzDate(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function accountOf(arn: string): string {
  return arn.split(':')[4] ?? '';
}

function randomId(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return Array.from(randomBytes(length), (byte) => alphabet[byte % alphabet.length]).join('');
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
