import { spawn } from 'node:child_process';
import { browserScript } from '@auth/testkit';
import type { RealmUser } from '@auth/provider-keycloak/testing';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { expect } from 'vitest';
import type { Sandbox } from '../../support/sandbox.js';

/** The environment that makes `browserScript` sign in as `user` on Keycloak's own login page. */
export function personAt(user: RealmUser, log?: string): NodeJS.ProcessEnv {
  return { AUTHKIT_TEST_USERNAME: user.username, AUTHKIT_TEST_PASSWORD: user.password, ...(log === undefined ? {} : { AUTHKIT_TEST_BROWSER_LOG: log }) };
}

/** `browserScript <url>` run by the test itself (the person at another machine); resolves with what it printed. */
export function browse(url: string, user: RealmUser): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [browserScript, url], { env: { ...process.env, ...personAt(user) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout.trim()) : reject(new Error(`the browser at ${new URL(url).origin} failed (${code}): ${stderr}`))));
  });
}

/** The claims of a token Keycloak signed, checked against the realm's JWKS (`/protocol/openid-connect/certs`). */
export async function verifiedClaims(token: string, realm: { issuer: string; endpoints: { certs: string } }): Promise<JWTPayload> {
  return (await jwtVerify(token, createRemoteJWKSet(new URL(realm.endpoints.certs)), { issuer: realm.issuer })).payload;
}

/** `authctl print-token` for a profile: its access token, after exit 0 and an empty stderr check by the caller. */
export async function printToken(sandbox: Sandbox, profile?: string): Promise<string> {
  const printed = await sandbox.run([...(profile ? ['--profile', profile] : []), 'print-token']);
  expect(printed.code, printed.stderr).toBe(0);
  return printed.stdout.trimEnd();
}
