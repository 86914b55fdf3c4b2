import { AuthError } from '@auth/core/provider';
import { z } from 'zod';
import { authorizationHeader, type InfluxCredentials } from './credentials.js';
import type { PermissionScopes } from './permissions.js';
import { answerError, answerMessage, send, transport, type Transport, type TransportOptions } from './transport.js';

/**
 * A client of the InfluxDB Enterprise meta API's users and roles (docs-v2
 * `enterprise_influxdb/v1/administration/manage/users-and-permissions/authorization-api.md`;
 * the two public clients: Kapacitor `services/auth/meta/client.go`,
 * Chronograf `enterprise/meta.go`).
 *
 * Writes must reach the lead meta node: a follower answers 307 with the
 * leader in `Location`. The request is sent there again, body and
 * Authorization included (the docs' `curl --location-trusted`), at most five
 * hops as Kapacitor's `MaxClientRedirects`, and the leader is remembered for
 * the next requests as Chronograf's `AuthedCheckRedirect` does. A redirect
 * from https to plain http is refused: it would send the credentials in clear.
 */
export interface MetaClientOptions extends TransportOptions {
  /** A meta node, e.g. `https://meta-0.example:8091` (the lead one saves a hop). */
  url: string;
  credentials: InfluxCredentials;
  signal?: AbortSignal;
  /** Epoch seconds, for the JWT's `exp`. */
  now?: () => number;
}

export const MAX_REDIRECTS = 5;
const WHAT = 'the InfluxDB Enterprise meta node';

const scopes = z.record(z.string(), z.array(z.string()).nullable()).transform((value) => {
  const out: PermissionScopes = {};
  for (const [scope, names] of Object.entries(value)) out[scope] = names ?? [];
  return out;
});

const userSchema = z.object({ name: z.string(), hash: z.string().optional(), permissions: scopes.optional() });
const roleSchema = z.object({ name: z.string(), permissions: scopes.optional(), users: z.array(z.string()).nullable().optional() });

export interface MetaUser {
  name: string;
  /** The bcrypt hash; empty for a user the meta node checks through LDAP. */
  hash: string;
  permissions: PermissionScopes;
}

export interface MetaRole {
  name: string;
  permissions: PermissionScopes;
  users: string[];
}

type UserAction = 'create' | 'delete' | 'change-password' | 'add-permissions' | 'remove-permissions';
type RoleAction = 'create' | 'delete' | 'add-permissions' | 'remove-permissions' | 'add-users' | 'remove-users';

export class MetaClient {
  private base: URL;
  private readonly io: Transport;

  constructor(private readonly options: MetaClientOptions) {
    this.base = new URL(options.url);
    this.io = transport(options);
  }

  /** Where requests go now: the configured node, or the leader a follower pointed at. */
  get url(): string {
    return this.base.origin;
  }

  /** `GET /user`, or `GET /user?name=`: an unknown name gives `[]` (404 `user not found` and `{"users":[]}` alike). */
  async users(name?: string): Promise<MetaUser[]> {
    const body = await this.read('/user', name, 'user not found');
    const parsed = this.decode(z.object({ users: z.array(userSchema).nullable().optional() }), body, '/user');
    return (parsed.users ?? []).map((u) => ({ name: u.name, hash: u.hash ?? '', permissions: u.permissions ?? {} }));
  }

  async user(name: string): Promise<MetaUser | undefined> {
    return (await this.users(name)).find((u) => u.name === name);
  }

  /** `GET /role[?name=]`; a fresh install answers `{}`. */
  async roles(name?: string): Promise<MetaRole[]> {
    const body = await this.read('/role', name, 'role not found');
    const parsed = this.decode(z.object({ roles: z.array(roleSchema).nullable().optional() }), body, '/role');
    return (parsed.roles ?? []).map((r) => ({ name: r.name, permissions: r.permissions ?? {}, users: r.users ?? [] }));
  }

  createUser(name: string, password: string): Promise<void> {
    return this.userAction('create', { name, password });
  }
  deleteUser(name: string): Promise<void> {
    return this.userAction('delete', { name });
  }
  changePassword(name: string, password: string): Promise<void> {
    return this.userAction('change-password', { name, password });
  }
  addUserPermissions(name: string, permissions: PermissionScopes): Promise<void> {
    return this.userAction('add-permissions', { name, permissions });
  }
  removeUserPermissions(name: string, permissions: PermissionScopes): Promise<void> {
    return this.userAction('remove-permissions', { name, permissions });
  }

  createRole(name: string): Promise<void> {
    return this.roleAction('create', { name });
  }
  deleteRole(name: string): Promise<void> {
    return this.roleAction('delete', { name });
  }
  addRolePermissions(name: string, permissions: PermissionScopes): Promise<void> {
    return this.roleAction('add-permissions', { name, permissions });
  }
  removeRolePermissions(name: string, permissions: PermissionScopes): Promise<void> {
    return this.roleAction('remove-permissions', { name, permissions });
  }
  addRoleUsers(name: string, users: string[]): Promise<void> {
    return this.roleAction('add-users', { name, users });
  }
  removeRoleUsers(name: string, users: string[]): Promise<void> {
    return this.roleAction('remove-users', { name, users });
  }

  /**
   * `GET /authorized?name=&password=&permission=NoPermissions&resource=_`, as
   * Kapacitor checks the password of a user without a hash (LDAP): 200 is
   * yes, 401 or 403 no; anything else is an error.
   */
  async authorized(name: string, password: string): Promise<boolean> {
    const query = new URLSearchParams({ name, password, permission: 'NoPermissions', resource: '_' });
    const { status, text, url } = await this.exchange('GET', `/authorized?${query}`);
    if (status === 200) return true;
    if (status === 401 || status === 403) return false;
    throw this.error(status, answerMessage(text), url);
  }

  private userAction(action: UserAction, user: Record<string, unknown>): Promise<void> {
    return this.write('/user', { action, user });
  }

  private roleAction(action: RoleAction, role: Record<string, unknown>): Promise<void> {
    return this.write('/role', { action, role });
  }

  private async write(path: string, body: unknown): Promise<void> {
    const { status, text, url } = await this.exchange('POST', path, JSON.stringify(body));
    if (status !== 200) throw this.error(status, answerMessage(text), url);
  }

  /** A GET that reads an unknown `name` as an empty list, whichever way the node says so. */
  private async read(path: string, name: string | undefined, notFound: string): Promise<unknown> {
    const query = name === undefined ? '' : `?${new URLSearchParams({ name })}`;
    const { status, text, url } = await this.exchange('GET', `${path}${query}`);
    const message = status === 200 ? undefined : answerMessage(text);
    if (name !== undefined && message === notFound) return {};
    if (message !== undefined) throw this.error(status, message, url);
    return parseJson(text, url);
  }

  private decode<T>(schema: z.ZodType<T>, body: unknown, path: string): T {
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new AuthError('PROTOCOL', `${WHAT} at ${this.url}${path} sent an answer that is not a ${path} list`, {
        url: `${this.url}${path}`,
        hint: 'check that the URL points at an InfluxDB Enterprise meta node (port 8091)',
      });
    }
    return parsed.data;
  }

  private async exchange(method: 'GET' | 'POST', pathAndQuery: string, body?: string): Promise<{ status: number; text: string; url: string }> {
    let target = new URL(pathAndQuery, this.base);
    for (let hops = 0; ; hops += 1) {
      const headers: Record<string, string> = {
        accept: 'application/json',
        authorization: await authorizationHeader(this.options.credentials, this.options.now),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      };
      const response = await send(this.io, this.options.signal, target, { method, headers, redirect: 'manual', ...(body === undefined ? {} : { body }) }, WHAT);
      const text = await response.text();
      const shown = `${target.origin}${target.pathname}`;
      if (response.status !== 307 && response.status !== 308) return { status: response.status, text, url: shown };
      const location = response.headers.get('location');
      if (location === null) throw new AuthError('PROTOCOL', `${WHAT} at ${shown} redirected without a Location`, { url: shown, status: response.status });
      if (hops + 1 > MAX_REDIRECTS) {
        throw new AuthError('PROTOCOL', `${WHAT} at ${shown} redirected more than ${MAX_REDIRECTS} times`, {
          url: shown,
          hint: 'point url at the lead meta node (GET /status on a meta node names the leader)',
        });
      }
      const next = new URL(location, target);
      if (target.protocol === 'https:' && next.protocol !== 'https:') {
        throw new AuthError('PROTOCOL', `${WHAT} at ${shown} redirected to ${next.origin}, which is not https; the credentials are not sent there`, {
          url: shown,
          hint: 'enable https on every meta node, or point url at the lead meta node',
        });
      }
      target = next;
      this.base = new URL(next.origin);
    }
  }

  private error(status: number, message: string, url: string): AuthError {
    const basic = !('sharedSecret' in this.options.credentials);
    return answerError(status, message, url, WHAT, {
      credentials: basic
        ? 'check the admin username in the profile and the password (AUTHCTL_ADMIN_PASSWORD, --admin-password-stdin or the prompt)'
        : 'check that the shared secret matches the meta node\'s shared-secret (or internal-shared-secret)',
    });
  }
}

function parseJson(text: string, url: string): unknown {
  try {
    return text.trim() === '' ? {} : (JSON.parse(text) as unknown);
  } catch (cause) {
    throw new AuthError('PROTOCOL', `${WHAT} at ${url} sent an answer that is not JSON`, {
      url,
      cause,
      hint: 'check that the URL points at an InfluxDB Enterprise meta node (port 8091)',
    });
  }
}
