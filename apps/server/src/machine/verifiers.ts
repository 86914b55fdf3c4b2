import { AuthError, type Provider, type VerifyCapability } from '@auth/core';
import type { z } from 'zod';
import { UNIVERSAL_AUTH, type IdentityConfig } from './identity-config.js';

/** Which provider verifies which login method: the installed providers with a `verify` capability (server/installed-providers.ts). */

export interface MethodVerifier {
  provider: string;
  verify: VerifyCapability;
}

/** Login method → its verifier; two providers claiming one method is a packaging mistake, refused at startup. */
export function verifiersByMethod(providers: readonly Provider<any>[]): Map<string, MethodVerifier> {
  const byMethod = new Map<string, MethodVerifier>();
  for (const provider of providers) {
    for (const method of provider.verify?.loginMethods ?? []) {
      const other = byMethod.get(method);
      if (other) {
        throw new AuthError('CONFIG_INVALID', `login method ${method} is verified by two providers: ${other.provider} and ${provider.id}`, {
          hint: 'remove one of the two provider packages from @auth/server\'s dependencies',
        });
      }
      if (method === UNIVERSAL_AUTH) continue;
      byMethod.set(method, { provider: provider.id, verify: provider.verify! });
    }
  }
  return byMethod;
}

/**
 * Each identity's method bindings, parsed by the verifying provider's
 * schema. A method no provider verifies, or a binding its schema refuses,
 * is a config error naming the key.
 */
export function parseBindings(
  identities: readonly IdentityConfig[],
  verifiers: ReadonlyMap<string, MethodVerifier>,
  file?: string,
): Map<string, Map<string, unknown>> {
  const problems: Array<{ key: string; message: string }> = [];
  const bound = new Map<string, Map<string, unknown>>();
  identities.forEach((identity, i) => {
    const methods = new Map<string, unknown>();
    for (const [method, binding] of Object.entries(identity.methods)) {
      const key = `identities[${i}].methods.${method}`;
      if (method === UNIVERSAL_AUTH) {
        methods.set(method, binding);
        continue;
      }
      const verifier = verifiers.get(method);
      if (!verifier) {
        const known = [UNIVERSAL_AUTH, ...verifiers.keys()].sort().join(', ');
        problems.push({ key, message: `no installed provider verifies ${method} (available: ${known})` });
        continue;
      }
      const parsed = (verifier.verify.bindingSchema(method) as z.ZodType).safeParse(binding);
      if (parsed.success) methods.set(method, parsed.data);
      else for (const issue of parsed.error.issues) problems.push({ key: [key, ...issue.path.map(String)].join('.'), message: issue.message });
    }
    bound.set(identity.id, methods);
  });
  if (problems.length > 0) {
    throw new AuthError('CONFIG_INVALID', `${file ? `${file}: ` : ''}invalid machine identity bindings\n${problems.map((p) => `  ${p.key}: ${p.message}`).join('\n')}`, {
      ...(file ? { file } : {}),
      key: problems[0]!.key,
      hint: 'fix the keys named above; each provider README lists the binding keys of its login methods',
    });
  }
  return bound;
}
