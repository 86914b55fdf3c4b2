import { AuthError } from '@auth/core/provider';
import { FORM_CONTENT_TYPE, GET_CALLER_IDENTITY_BODY, IDENTITY_ID_HEADER, SERVER_ID_HEADER } from './sts.js';

/**
 * Reading and checking a caller's signed `sts:GetCallerIdentity` request before anything is sent
 * to STS: the rules that close CVE-2020-16250 (Project Zero, "Vault AWS IAM auth bypass", 2020)
 * and the gaps of Infisical's aws-auth (no server id, caller-chosen host and headers).
 */

/** The login body fields, in Infisical's aws-auth names (`iamRequestUrl` as its docs' examples send it). */
export interface LoginFields {
  method: string;
  body: string;
  headers: Record<string, string>;
  url?: string;
}

/**
 * Every header a GetCallerIdentity request needs, and no more: anything else a caller adds
 * (an `Accept` asking for another format, `X-Amz-*` extras, hop-by-hop headers) is refused.
 */
const ALLOWED_HEADERS = new Set([
  'authorization',
  'content-type',
  'content-length',
  'host',
  'x-amz-date',
  'x-amz-security-token',
  'x-amz-content-sha256',
  SERVER_ID_HEADER.toLowerCase(),
  IDENTITY_ID_HEADER.toLowerCase(),
]);
const REQUIRED_HEADERS = ['authorization', 'content-type', 'host', 'x-amz-date', SERVER_ID_HEADER.toLowerCase(), IDENTITY_ID_HEADER.toLowerCase()];
const CONTENT_TYPES = new Set([FORM_CONTENT_TYPE, 'application/x-www-form-urlencoded']);
const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=[A-Z0-9]{16,128}\/(\d{8})\/([a-z0-9-]{1,20})\/([a-z0-9-]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=[0-9a-f]{64}$/;
const AMZ_DATE = /^\d{8}T\d{6}Z$/;

/** The login body, decoded; USAGE when it is not a well-formed aws-auth body. */
export function readLoginFields(body: Readonly<Record<string, unknown>>): LoginFields {
  const method = body.iamHttpRequestMethod;
  if (method !== 'POST') {
    throw new AuthError('USAGE', `iamHttpRequestMethod must be "POST" (got ${typeof method === 'string' ? JSON.stringify(method.slice(0, 16)) : typeof method})`);
  }
  const headerJson = base64Field(body, 'iamRequestHeaders');
  let parsed: unknown;
  try {
    parsed = JSON.parse(headerJson);
  } catch {
    throw new AuthError('USAGE', 'iamRequestHeaders must be the base64 of a JSON object');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !Object.values(parsed).every((v) => typeof v === 'string')) {
    throw new AuthError('USAGE', 'iamRequestHeaders must be the base64 of a flat JSON object of header names and string values');
  }
  return {
    method,
    body: base64Field(body, 'iamRequestBody'),
    headers: parsed as Record<string, string>,
    ...(body.iamRequestUrl === undefined ? {} : { url: base64Field(body, 'iamRequestUrl') }),
  };
}

/**
 * The headers to forward to `stsUrl`, once every rule holds; ACCESS_DENIED naming the first
 * rule broken otherwise. `Host` and `Content-Length` are left to fetch, which sends the very
 * values checked here.
 */
export function checkSignedRequest(fields: LoginFields, expected: { stsUrl: string; region: string; serverId: string; identityId: string }): Record<string, string> {
  const sts = new URL(expected.stsUrl);
  if (fields.url !== undefined) {
    if (!URL.canParse(fields.url)) throw denied('iamRequestUrl is not a URL');
    const url = new URL(fields.url);
    if (url.search !== '' || url.hash !== '') throw denied('the signed request carries a query string');
    if (url.origin !== sts.origin || url.pathname !== '/') throw denied(`the signed request is for ${url.origin}${url.pathname}, not ${sts.origin}/`);
  }
  if (fields.body !== GET_CALLER_IDENTITY_BODY) throw denied(`the signed body is not exactly "${GET_CALLER_IDENTITY_BODY}"`);

  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(fields.headers)) {
    const key = name.toLowerCase();
    if (headers.has(key)) throw denied(`header ${key} appears twice`);
    if (!ALLOWED_HEADERS.has(key)) throw denied(`header ${key} is not allowed in a GetCallerIdentity request`);
    headers.set(key, value);
  }
  for (const name of REQUIRED_HEADERS) if (!headers.has(name)) throw denied(`header ${name} is missing`);

  if (headers.get('host')!.toLowerCase() !== sts.host) throw denied(`the signed request is for host ${headers.get('host')}, not ${sts.host}`);
  if (!CONTENT_TYPES.has(headers.get('content-type')!.toLowerCase())) throw denied('content-type is not application/x-www-form-urlencoded');
  const length = headers.get('content-length');
  if (length !== undefined && length !== String(Buffer.byteLength(fields.body))) throw denied('content-length does not match the body');
  if (!AMZ_DATE.test(headers.get('x-amz-date')!)) throw denied('x-amz-date is not an ISO 8601 basic date-time');

  const authorization = AUTHORIZATION.exec(headers.get('authorization')!);
  if (authorization === null) throw denied('authorization is not an AWS4-HMAC-SHA256 signature');
  const [, , scopeRegion, scopeService, signedHeaderList = ''] = authorization;
  if (scopeRegion !== expected.region) throw denied(`the request is signed for region ${scopeRegion}, not the configured ${expected.region}`);
  if (scopeService !== 'sts') throw denied(`the request is signed for service ${scopeService}, not sts`);
  const signed = new Set(signedHeaderList.split(';'));
  for (const name of headers.keys()) {
    if (name !== 'authorization' && !signed.has(name)) throw denied(`header ${name} is not signed`);
  }

  const serverId = headers.get(SERVER_ID_HEADER.toLowerCase())!;
  if (serverId !== expected.serverId) throw denied(`${SERVER_ID_HEADER} is ${JSON.stringify(serverId.slice(0, 128))}, not this server's id`);
  const identityId = headers.get(IDENTITY_ID_HEADER.toLowerCase())!;
  if (identityId !== expected.identityId) throw denied(`${IDENTITY_ID_HEADER} is ${JSON.stringify(identityId.slice(0, 128))}, not the identity logging in`);

  return Object.fromEntries([...headers].filter(([name]) => name !== 'host' && name !== 'content-length'));
}

function base64Field(body: Readonly<Record<string, unknown>>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') throw new AuthError('USAGE', `${field} is required (base64)`);
  const decoded = Buffer.from(value, 'base64');
  // Buffer.from skips what is not base64: a value that does not survive the round trip is not base64.
  if (decoded.toString('base64') !== value) throw new AuthError('USAGE', `${field} is not standard base64`);
  return decoded.toString('utf8');
}

export function denied(reason: string): AuthError {
  return new AuthError('ACCESS_DENIED', `aws-auth: ${reason}`);
}
