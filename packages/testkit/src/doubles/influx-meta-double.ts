// Contract double of an InfluxDB Enterprise meta node's user and role API, built from:
// - docs-v2 `content/enterprise_influxdb/v1/administration/manage/users-and-permissions/authorization-api.md`
//   (POST /user and /role actions and bodies, GET /user and /role, 307 + Location from a follower,
//   `{"error": ...}` bodies) and `.../permissions.md` (permission names);
// - docs-v2 `content/enterprise_influxdb/v1/administration/configure/config-meta-nodes.md`
//   (auth-enabled, shared-secret, internal-shared-secret, bcrypt password hashes);
// - Kapacitor `services/auth/meta/client.go`, `types.go` and `integrations/metaauth_test.go`
//   (GET /user?name= answer, HS512 JWT `{username, exp}` with the empty username for the internal
//   shared secret, GET /authorized, 404 `{"error":"user not found"}` for an unknown user);
// - Chronograf `enterprise/meta.go`, `enterprise/types.go` (the same shapes, roles with users).
// The documents give no status code for most errors: 404 for an unknown user or role, 400 for
// anything else the node refuses, 401 for missing or wrong credentials.
import bcrypt from 'bcryptjs';
import { errors as joseErrors, jwtVerify } from 'jose';
import { serveDouble, type DoubleRequest, type DoubleServer, type DoubleTls, type Reply } from './double-server.js';

/** The names of codes 0-18 (Kapacitor `services/auth/meta/types.go`). */
const PERMISSIONS = new Set([
  'NoPermissions', 'ViewAdmin', 'ViewChronograf', 'CreateDatabase', 'CreateUserAndRole', 'AddRemoveNode', 'DropDatabase',
  'DropData', 'ReadData', 'WriteData', 'Rebalance', 'ManageShard', 'ManageContinuousQuery', 'ManageQuery',
  'ManageSubscription', 'Monitor', 'CopyShard', 'KapacitorAPI', 'KapacitorConfigAPI',
]);

type Scopes = Record<string, string[]>;

export interface InfluxMetaDoubleOptions {
  /** The administrator created at start (default `admin` / `changeit`, every permission cluster-wide). */
  admin?: { username: string; password: string };
  /** `shared-secret`: HS* JWTs for the public API, `username` must name a user. */
  sharedSecret?: string;
  /** `internal-shared-secret`: HS* JWTs from other nodes and Kapacitor, any `username` (Kapacitor sends ""). */
  internalSharedSecret?: string;
  /** Follower meta nodes besides the leader (default 0); they answer every POST with 307 to the leader. */
  followers?: number;
  /** How `GET /user?name=` answers an unknown user: 404 `{"error":"user not found"}` (default) or 200 `{"users":[]}`. */
  unknownUser?: 'not-found' | 'empty-list';
  /** bcrypt cost of stored hashes (default 4: tests are slow enough). */
  bcryptCost?: number;
  /** Serve HTTPS (every node); with `clientCa`, a client certificate is required. */
  tls?: DoubleTls;
}

export interface MetaRequest {
  /** `leader` or `follower-N`. */
  node: string;
  method: string;
  /** Path and query as sent. */
  target: string;
  /** `basic:<user>`, `bearer:<username claim>`, or `none`. */
  auth: string;
  /** The parsed JSON body of a POST. */
  body?: unknown;
}

export interface InfluxMetaDouble {
  /** The lead meta node. */
  url: string;
  /** The followers' URLs. */
  followers: string[];
  /** Every request, to every node, in order. */
  requests: MetaRequest[];
  /** Creates a user directly (a stored bcrypt hash), as if made through the API. */
  addUser(name: string, password: string, permissions?: Scopes): void;
  /** A user the node checks through LDAP: its hash is "" and `/authorized` knows the password. */
  addLdapUser(name: string, password: string, permissions?: Scopes): void;
  /** Lists permission names the double does not know under a user's scope (a newer meta node). */
  injectPermissions(user: string, scope: string, names: string[]): void;
  /** The stored user, for assertions. */
  user(name: string): { hash: string; permissions: Scopes } | undefined;
  role(name: string): { permissions: Scopes; users: string[] } | undefined;
  /** Whether `password` matches the user's stored hash. */
  checkPassword(name: string, password: string): boolean;
  setUnknownUser(mode: 'not-found' | 'empty-list'): void;
  close(): Promise<void>;
}

interface StoredUser {
  hash: string;
  ldapPassword?: string;
  permissions: Scopes;
}

export async function startInfluxMetaDouble(options: InfluxMetaDoubleOptions = {}): Promise<InfluxMetaDouble> {
  const cost = options.bcryptCost ?? 4;
  const admin = options.admin ?? { username: 'admin', password: 'changeit' };
  const users = new Map<string, StoredUser>();
  const roles = new Map<string, { permissions: Scopes; users: string[] }>();
  const requests: MetaRequest[] = [];
  let unknownUser = options.unknownUser ?? 'not-found';

  users.set(admin.username, { hash: bcrypt.hashSync(admin.password, cost), permissions: { '': [...PERMISSIONS].filter((p) => p !== 'NoPermissions') } });

  const error = (status: number, message: string): Reply => ({ status, body: { error: message } });
  const ok: Reply = { status: 200, body: {} };

  async function authenticate(request: DoubleRequest): Promise<{ who: string } | Reply> {
    if (request.basic) {
      const user = users.get(request.basic.username);
      if (!user || user.hash === '' || !bcrypt.compareSync(request.basic.password, user.hash)) return error(401, 'authorization failed');
      return { who: `basic:${request.basic.username}` };
    }
    const header = request.headers.authorization;
    if (header?.startsWith('Bearer ')) {
      const token = header.slice(7);
      for (const [secret, internal] of [[options.sharedSecret, false], [options.internalSharedSecret, true]] as const) {
        if (!secret) continue;
        try {
          const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ['HS256', 'HS384', 'HS512'], requiredClaims: ['exp'] });
          if (typeof payload.username !== 'string') return error(401, 'username in token must be a string');
          if (!internal && !users.has(payload.username)) return error(401, 'user not found');
          return { who: `bearer:${payload.username}` };
        } catch (cause) {
          if (cause instanceof joseErrors.JWSSignatureVerificationFailed) continue;
          return error(401, (cause as Error).message);
        }
      }
      return error(401, 'signature is invalid');
    }
    return error(401, 'unable to parse authentication credentials');
  }

  const listedUser = (name: string, user: StoredUser) => ({ name, hash: user.hash, permissions: user.permissions });
  const listedRole = (name: string, role: { permissions: Scopes; users: string[] }) => ({ name, permissions: role.permissions, users: role.users });

  function unknownPermission(scopes: unknown): string | undefined {
    if (typeof scopes !== 'object' || scopes === null) return 'permissions must be an object';
    for (const names of Object.values(scopes)) {
      if (!Array.isArray(names)) return 'permissions must list names';
      const bad = names.find((n) => !PERMISSIONS.has(String(n)));
      if (bad !== undefined) return `unknown permission: ${String(bad)}`;
    }
    return undefined;
  }

  function addScopes(target: Scopes, add: Scopes): void {
    for (const [scope, names] of Object.entries(add)) target[scope] = [...new Set([...(target[scope] ?? []), ...names])];
  }

  function removeScopes(target: Scopes, remove: Scopes): void {
    for (const [scope, names] of Object.entries(remove)) {
      const left = (target[scope] ?? []).filter((n) => !names.includes(n));
      if (left.length === 0) delete target[scope];
      else target[scope] = left;
    }
  }

  function userAction(body: { action?: unknown; user?: { name?: unknown; password?: unknown; permissions?: unknown } }): Reply {
    const name = body.user?.name;
    if (typeof name !== 'string' || name === '') return error(400, 'user name required');
    const user = users.get(name);
    switch (body.action) {
      case 'create':
        if (user) return error(400, 'user already exists');
        if (typeof body.user?.password !== 'string') return error(400, 'password required');
        users.set(name, { hash: bcrypt.hashSync(body.user.password, cost), permissions: {} });
        return ok;
      case 'delete':
        if (!user) return error(404, 'user not found');
        users.delete(name);
        for (const role of roles.values()) role.users = role.users.filter((u) => u !== name);
        return ok;
      case 'change-password':
        if (!user) return error(404, 'user not found');
        if (typeof body.user?.password !== 'string') return error(400, 'password required');
        user.hash = bcrypt.hashSync(body.user.password, cost);
        return ok;
      case 'add-permissions':
      case 'remove-permissions': {
        if (!user) return error(404, 'user not found');
        const problem = unknownPermission(body.user?.permissions);
        if (problem) return error(400, problem);
        (body.action === 'add-permissions' ? addScopes : removeScopes)(user.permissions, body.user!.permissions as Scopes);
        return ok;
      }
      default:
        return error(400, `invalid action: ${String(body.action)}`);
    }
  }

  function roleAction(body: { action?: unknown; role?: { name?: unknown; permissions?: unknown; users?: unknown } }): Reply {
    const name = body.role?.name;
    if (typeof name !== 'string' || name === '') return error(400, 'role name required');
    const role = roles.get(name);
    if (body.action === 'create') {
      if (role) return error(400, 'role already exists');
      roles.set(name, { permissions: {}, users: [] });
      return ok;
    }
    if (!role) return error(404, 'role not found');
    switch (body.action) {
      case 'delete':
        roles.delete(name);
        return ok;
      case 'add-permissions':
      case 'remove-permissions': {
        const problem = unknownPermission(body.role?.permissions);
        if (problem) return error(400, problem);
        (body.action === 'add-permissions' ? addScopes : removeScopes)(role.permissions, body.role!.permissions as Scopes);
        return ok;
      }
      case 'add-users':
      case 'remove-users': {
        const names = body.role?.users;
        if (!Array.isArray(names)) return error(400, 'users required');
        const missing = names.find((n) => !users.has(String(n)));
        if (missing !== undefined) return error(404, 'user not found');
        role.users = body.action === 'add-users' ? [...new Set([...role.users, ...names.map(String)])] : role.users.filter((u) => !names.includes(u));
        return ok;
      }
      default:
        return error(400, `invalid action: ${String(body.action)}`);
    }
  }

  function read(request: DoubleRequest): Reply {
    const query = new URLSearchParams(request.search);
    const name = query.get('name');
    if (request.path === '/user') {
      if (name === null) return { status: 200, body: { users: [...users].map(([n, u]) => listedUser(n, u)) } };
      const user = users.get(name);
      if (user) return { status: 200, body: { users: [listedUser(name, user)] } };
      return unknownUser === 'not-found' ? error(404, 'user not found') : { status: 200, body: { users: [] } };
    }
    if (request.path === '/role') {
      if (name === null) return { status: 200, body: roles.size === 0 ? {} : { roles: [...roles].map(([n, r]) => listedRole(n, r)) } };
      const role = roles.get(name);
      return role ? { status: 200, body: { roles: [listedRole(name, role)] } } : error(404, 'role not found');
    }
    if (request.path === '/authorized') {
      const user = name === null ? undefined : users.get(name);
      const password = query.get('password') ?? '';
      if (!user) return error(404, 'user not found');
      const valid = user.hash === '' ? user.ldapPassword === password : bcrypt.compareSync(password, user.hash);
      return valid ? ok : error(401, 'authorization failed');
    }
    return error(404, 'not found');
  }

  let leaderUrl = '';
  const handler = (node: string) => async (request: DoubleRequest): Promise<Reply> => {
    const record: MetaRequest = { node, method: request.method, target: `${request.path}${request.search}`, auth: 'none' };
    requests.push(record);
    let body: unknown;
    if (request.method === 'POST') {
      try {
        body = JSON.parse(request.text);
      } catch {
        return error(400, 'invalid JSON body');
      }
      record.body = body;
    }
    const auth = await authenticate(request);
    if ('status' in auth) return auth;
    record.auth = auth.who;
    if (request.method === 'GET') return read(request);
    if (request.method !== 'POST') return error(405, 'method not allowed');
    if (node !== 'leader') return { status: 307, headers: { location: `${leaderUrl}${request.path}${request.search}` }, body: { error: 'not the leader' } };
    if (request.path === '/user') return userAction(body as Parameters<typeof userAction>[0]);
    if (request.path === '/role') return roleAction(body as Parameters<typeof roleAction>[0]);
    return error(404, 'not found');
  };

  const serve = (node: string) => serveDouble(handler(node), options.tls === undefined ? {} : { tls: options.tls });
  const leader = await serve('leader');
  leaderUrl = leader.url;
  const followers: DoubleServer[] = [];
  for (let i = 0; i < (options.followers ?? 0); i += 1) followers.push(await serve(`follower-${i}`));

  return {
    url: leader.url,
    followers: followers.map((f) => f.url),
    requests,
    addUser(name, password, permissions = {}) {
      users.set(name, { hash: bcrypt.hashSync(password, cost), permissions });
    },
    addLdapUser(name, password, permissions = {}) {
      users.set(name, { hash: '', ldapPassword: password, permissions });
    },
    injectPermissions(name, scope, names) {
      const user = users.get(name);
      if (!user) throw new Error(`no user ${name}`);
      user.permissions[scope] = [...(user.permissions[scope] ?? []), ...names];
    },
    user: (name) => users.get(name),
    role: (name) => roles.get(name),
    checkPassword(name, password) {
      const user = users.get(name);
      return user !== undefined && user.hash !== '' && bcrypt.compareSync(password, user.hash);
    },
    setUnknownUser(mode) {
      unknownUser = mode;
    },
    close: async () => {
      await Promise.all([leader, ...followers].map((s) => s.close()));
    },
  };
}
