import { AuthError } from '@auth/core/provider';
import { idFromLocation, type KeycloakAdminApi } from './admin-api.js';
import { withHint } from './client-manager.js';
import { findRoles } from './realm-roles.js';
import type { AdminUser, RoleRepresentation, UserRepresentation } from './representations.js';

export interface NewUser {
  email?: string;
  /** Keycloak 24+ user profiles require both names by default: a user without them is asked for them at the first login. */
  firstName?: string;
  lastName?: string;
  /** Initial password; the user has none (cannot log in by password) when absent. */
  password?: string;
  /** The user must change the password at the next login. */
  temporary?: boolean;
}

/**
 * Realm users, as kxi's `user` command manages them
 * (https://code.kx.com/insights/1.10/enterprise/security/managing-service-accounts.html): create,
 * find, list, set a password, assign and unassign realm roles, delete
 * (paths of the Keycloak Admin REST API (https://www.keycloak.org/docs-api/latest/rest-api/index.html)).
 */
export class UserManager {
  constructor(private readonly api: KeycloakAdminApi) {}

  async createUser(username: string, options: NewUser = {}): Promise<AdminUser> {
    const representation: UserRepresentation = {
      username,
      enabled: true,
      ...(options.email === undefined ? {} : { email: options.email }),
      ...(options.firstName === undefined ? {} : { firstName: options.firstName }),
      ...(options.lastName === undefined ? {} : { lastName: options.lastName }),
    };
    let created;
    try {
      created = await this.api.request('POST', '/users', { body: representation });
    } catch (error) {
      throw withHint(error, 409, `the user exists already; \`users set-password ${username}\` changes its password`);
    }
    const id = idFromLocation(created, `user ${username}`, this.api.url('/users'));
    if (options.password !== undefined) await this.resetPassword(id, options.password, options.temporary === true);
    return { id, username, enabled: true, ...(options.email === undefined ? {} : { email: options.email }) };
  }

  /** The user with exactly this username, if any. */
  async findUser(username: string): Promise<AdminUser | undefined> {
    const { body } = await this.api.request<UserRepresentation[]>('GET', '/users', { query: { username, exact: 'true' } });
    const found = body.find((user) => user.username === username);
    return found ? toAdminUser(found) : undefined;
  }

  /** Users of the realm; `search` matches part of the username, email or name. */
  async listUsers(options: { search?: string; max?: number } = {}): Promise<AdminUser[]> {
    const { body } = await this.api.request<UserRepresentation[]>('GET', '/users', {
      query: { search: options.search, max: options.max === undefined ? undefined : String(options.max) },
    });
    return body.map(toAdminUser);
  }

  async setPassword(username: string, password: string, options: { temporary?: boolean } = {}): Promise<void> {
    await this.resetPassword((await this.requireUser(username)).id, password, options.temporary === true);
  }

  /** Adds realm roles to the user; returns the names newly assigned (roles already held are skipped). */
  async assignRoles(username: string, roles: readonly string[]): Promise<string[]> {
    const { path, held, wanted } = await this.roleChange(username, roles);
    const missing = wanted.filter((role) => !held.has(role.name));
    if (missing.length > 0) await this.api.request('POST', path, { body: missing.map(({ id, name }) => ({ id, name })) });
    return missing.map((role) => role.name);
  }

  /** Removes realm roles from the user; returns the names it held and lost. */
  async unassignRoles(username: string, roles: readonly string[]): Promise<string[]> {
    const { path, held, wanted } = await this.roleChange(username, roles);
    const present = wanted.filter((role) => held.has(role.name));
    if (present.length > 0) await this.api.request('DELETE', path, { body: present.map(({ id, name }) => ({ id, name })) });
    return present.map((role) => role.name);
  }

  /** The realm roles the user holds directly. */
  async userRoles(username: string): Promise<string[]> {
    const user = await this.requireUser(username);
    const { body } = await this.api.request<RoleRepresentation[]>('GET', `/users/${encodeURIComponent(user.id)}/role-mappings/realm`);
    return body.map((role) => role.name).sort();
  }

  async deleteUser(username: string): Promise<void> {
    await this.api.request('DELETE', `/users/${encodeURIComponent((await this.requireUser(username)).id)}`);
  }

  private async roleChange(username: string, roles: readonly string[]) {
    const user = await this.requireUser(username);
    const realmRoles = (await this.api.request<RoleRepresentation[]>('GET', '/roles')).body;
    const wanted = findRoles(realmRoles, roles, this.api.url('/roles'));
    const path = `/users/${encodeURIComponent(user.id)}/role-mappings/realm`;
    const held = new Set((await this.api.request<RoleRepresentation[]>('GET', path)).body.map((role) => role.name));
    return { path, held, wanted };
  }

  private async resetPassword(id: string, password: string, temporary: boolean): Promise<void> {
    await this.api.request('PUT', `/users/${encodeURIComponent(id)}/reset-password`, { body: { type: 'password', value: password, temporary } });
  }

  private async requireUser(username: string): Promise<AdminUser> {
    const user = await this.findUser(username);
    if (!user) {
      throw new AuthError('USAGE', `No user "${username}" in realm ${this.api.realm} at ${this.api.url('/users')}`, {
        url: this.api.url('/users'),
        status: 404,
        hint: 'run `users list` to see the users of the realm',
      });
    }
    return user;
  }
}

function toAdminUser(user: UserRepresentation): AdminUser {
  return {
    id: String(user.id),
    username: String(user.username),
    enabled: user.enabled !== false,
    ...(typeof user.email === 'string' ? { email: user.email } : {}),
  };
}
