import { AuthError } from '@auth/core/provider';
import type { RoleRepresentation } from './representations.js';

/**
 * The realm roles named `names`, with their ids: role-mapping calls need
 * both `id` and `name` (the Keycloak Admin REST API (https://www.keycloak.org/docs-api/latest/rest-api/index.html)).
 * An unknown name is an error
 * that lists the roles there are.
 */
export function findRoles(realmRoles: readonly RoleRepresentation[], names: readonly string[], url: string): RoleRepresentation[] {
  const byName = new Map(realmRoles.map((role) => [role.name, role]));
  const unknown = names.filter((name) => !byName.has(name));
  if (unknown.length > 0) {
    throw new AuthError('USAGE', `No realm role ${unknown.map((n) => `"${n}"`).join(', ')} at ${url}`, {
      url,
      hint: `the realm roles are: ${[...byName.keys()].sort().join(', ')}`,
    });
  }
  return [...new Set(names)].map((name) => byName.get(name)!);
}
