import type { TestIdP } from '@auth/testkit';
import type { IntrospectionResponse } from 'oauth4webapi';
import { expect } from 'vitest';
import { introspect } from '../../support/idp-checks.js';
import type { Sandbox } from '../../support/sandbox.js';

/**
 * `authctl print-token` (stdin closed) succeeds with the token alone on stdout,
 * and the IdP's introspection says that token is active.
 */
export async function printLiveToken(
  idp: TestIdP,
  sandbox: Sandbox,
  env: NodeJS.ProcessEnv = {},
): Promise<{ token: string; introspection: IntrospectionResponse }> {
  const printed = await sandbox.run(['print-token'], { env });
  expect(printed.code, printed.stderr).toBe(0);
  expect(printed.stderr).toBe('');
  expect(printed.stdout).toMatch(/^\S+\n$/);
  const token = printed.stdout.trimEnd();
  const introspection = await introspect(idp, token);
  expect(introspection.active, 'the IdP knows the printed token as active').toBe(true);
  return { token, introspection };
}
