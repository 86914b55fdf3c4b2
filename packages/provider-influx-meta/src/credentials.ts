import { SignJWT } from 'jose';

/** A secret given as a value or read when first needed (a prompt, stdin). */
export type Secret = string | (() => Promise<string>);

/**
 * How requests to InfluxDB authenticate: Basic with a user and password, or
 * a Bearer JWT signed with a shared secret. For the meta node's internal
 * shared secret, Kapacitor signs with the empty username (its
 * `integrations/metaauth_test.go`: "the username should be empty").
 */
export type InfluxCredentials = { username: string; password: Secret } | { sharedSecret: Secret; username?: string };

/** Kapacitor's meta client signs each request with `exp = now + 5 min`. */
const JWT_LIFETIME_SECONDS = 5 * 60;

async function reveal(secret: Secret): Promise<string> {
  return typeof secret === 'string' ? secret : secret();
}

/** The `Authorization` header for one request; a JWT is signed afresh each time, as Kapacitor and Chronograf do. */
export async function authorizationHeader(credentials: InfluxCredentials, now: () => number = () => Math.floor(Date.now() / 1000)): Promise<string> {
  if ('sharedSecret' in credentials) {
    const token = await new SignJWT({ username: credentials.username ?? '' })
      .setProtectedHeader({ alg: 'HS512', typ: 'JWT' })
      .setExpirationTime(now() + JWT_LIFETIME_SECONDS)
      .sign(new TextEncoder().encode(await reveal(credentials.sharedSecret)));
    return `Bearer ${token}`;
  }
  return basicHeader(credentials.username, await reveal(credentials.password));
}

/** Basic credentials for a user checking their own password. */
export function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}
