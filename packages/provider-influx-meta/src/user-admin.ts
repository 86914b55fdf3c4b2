import { AuthError } from '@auth/core/provider';
import type { MetaClient } from './meta-client.js';
import type { OssPrivilege } from './influxql.js';
import type { OssClient } from './oss-client.js';
import type { PermissionScopes } from './permissions.js';

/** A user as `users list` shows it. */
export interface ListedUser {
  name: string;
  /** OSS only: `WITH ALL PRIVILEGES`. */
  admin?: boolean;
  permissions: PermissionScopes;
}

/** What `grant` and `revoke` change: permission names on a scope (`""` = cluster-wide), or OSS admin. */
export interface GrantRequest {
  permissions: string[];
  database: string;
  admin: boolean;
}

/** The user operations both modes share, so the commands do not branch on the mode. */
export interface UserAdmin {
  readonly url: string;
  createUser(name: string, password: string, admin: boolean): Promise<void>;
  deleteUser(name: string): Promise<void>;
  setPassword(name: string, password: string): Promise<void>;
  grant(name: string, request: GrantRequest): Promise<void>;
  revoke(name: string, request: GrantRequest): Promise<void>;
  listUsers(): Promise<ListedUser[]>;
}

export function metaUserAdmin(meta: MetaClient): UserAdmin {
  const noAdmin = (what: string) =>
    new AuthError('USAGE', `--admin ${what} InfluxDB OSS only; an Enterprise user's rights are its permissions`, {
      hint: 'grant the permissions instead, e.g. `grant USER ViewAdmin CreateUserAndRole ...`',
    });
  const scopes = (request: GrantRequest, verb: string): PermissionScopes => {
    if (request.admin) throw noAdmin('is for');
    if (request.permissions.length === 0) throw new AuthError('USAGE', `name at least one permission to ${verb}`, { hint: 'e.g. ReadData WriteData' });
    return { [request.database]: request.permissions };
  };
  return {
    get url() {
      return meta.url;
    },
    async createUser(name, password, admin) {
      if (admin) throw noAdmin('creates an admin on');
      await meta.createUser(name, password);
    },
    deleteUser: (name) => meta.deleteUser(name),
    setPassword: (name, password) => meta.changePassword(name, password),
    grant: (name, request) => meta.addUserPermissions(name, scopes(request, 'grant')),
    revoke: (name, request) => meta.removeUserPermissions(name, scopes(request, 'revoke')),
    listUsers: async () => (await meta.users()).map(({ name, permissions }) => ({ name, permissions })),
  };
}

/**
 * The permission names of a grant as the OSS 1.x privilege on one database:
 * ReadData → READ, WriteData → WRITE, both → ALL. OSS has no cluster-wide
 * grants other than admin (ALL PRIVILEGES, `--admin`), and no other permissions.
 */
export function ossPrivilege(request: GrantRequest): OssPrivilege {
  const unsupported = request.permissions.filter((p) => p !== 'ReadData' && p !== 'WriteData');
  if (unsupported.length > 0) {
    throw new AuthError('USAGE', `InfluxDB OSS 1.x has no permission ${unsupported.join(', ')}: only ReadData (READ) and WriteData (WRITE) map to its grants`, {
      hint: 'grant ReadData and/or WriteData with --database DB, or --admin for ALL PRIVILEGES',
    });
  }
  if (request.permissions.length === 0) throw new AuthError('USAGE', 'name ReadData and/or WriteData, or pass --admin', { hint: 'e.g. `grant bob ReadData --database metrics`' });
  if (request.database === '') {
    throw new AuthError('USAGE', 'InfluxDB OSS 1.x grants ReadData and WriteData per database only', {
      hint: 'pass --database DB; for every database use --admin (ALL PRIVILEGES)',
    });
  }
  const read = request.permissions.includes('ReadData');
  const write = request.permissions.includes('WriteData');
  return read && write ? 'ALL' : read ? 'READ' : 'WRITE';
}

export function ossUserAdmin(oss: OssClient): UserAdmin {
  const adminOnly = (request: GrantRequest) => {
    if (request.permissions.length > 0 || request.database !== '') {
      throw new AuthError('USAGE', '--admin takes no permissions and no --database: it is ALL PRIVILEGES on every database', { hint: 'e.g. `grant bob --admin`' });
    }
  };
  return {
    url: oss.url,
    createUser: (name, password, admin) => oss.createUser(name, password, admin),
    deleteUser: (name) => oss.dropUser(name),
    setPassword: (name, password) => oss.setPassword(name, password),
    async grant(name, request) {
      if (request.admin) {
        adminOnly(request);
        return oss.grantAdmin(name);
      }
      return oss.grant(name, ossPrivilege(request), request.database);
    },
    async revoke(name, request) {
      if (request.admin) {
        adminOnly(request);
        return oss.revokeAdmin(name);
      }
      return oss.revoke(name, ossPrivilege(request), request.database);
    },
    async listUsers() {
      const users = await oss.users();
      return Promise.all(users.map(async ({ name, admin }) => ({ name, admin, permissions: await oss.grants(name) })));
    },
  };
}
