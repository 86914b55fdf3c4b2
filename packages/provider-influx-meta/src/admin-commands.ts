import { resolve } from 'node:path';
import { AuthError, type AdminCapability, type AdminCommand, type AdminContext, type AdminInput, type AdminOption, type AdminResult } from '@auth/core/provider';
import type { InfluxCredentials } from './credentials.js';
import { MetaClient } from './meta-client.js';
import { NEW_PASSWORD_ENV, SHARED_SECRET_ENV, type InfluxMetaSettings } from './options.js';
import { OssClient } from './oss-client.js';
import type { PermissionScopes } from './permissions.js';
import type { TransportOptions } from './transport.js';
import { metaUserAdmin, ossUserAdmin, type GrantRequest, type ListedUser, type UserAdmin } from './user-admin.js';

type Context = AdminContext<InfluxMetaSettings>;
type Command = AdminCommand<InfluxMetaSettings>;

/** How the profile reaches its server: credentials (secrets read when first used) and transport. */
function connection(ctx: Context): { url: string; credentials: InfluxCredentials; signal: AbortSignal } & TransportOptions {
  const { settings, profile } = ctx;
  const username = settings.admin?.username;
  let credentials: InfluxCredentials;
  if (settings.auth === 'jwt') {
    credentials = {
      username: username ?? '',
      sharedSecret: async () => {
        const secret = process.env[SHARED_SECRET_ENV];
        if (!secret) {
          throw new AuthError('CONFIG_INVALID', `profile "${profile}" has auth = "jwt" but ${SHARED_SECRET_ENV} is not set`, {
            profile,
            key: `profiles.${profile}.auth`,
            hint: `export ${SHARED_SECRET_ENV} with the server's shared-secret (it is never read from argv or the config file)`,
          });
        }
        return secret;
      },
    };
  } else {
    if (!username) {
      throw new AuthError('CONFIG_INVALID', `profile "${profile}" has no [profiles.${profile}.admin] username`, {
        profile,
        key: `profiles.${profile}.admin.username`,
        hint: `add [profiles.${profile}.admin] with username = "admin" (the password is never stored: AUTHCTL_ADMIN_PASSWORD, --admin-password-stdin or a prompt)`,
      });
    }
    credentials = { username, password: ctx.adminPassword };
  }
  // A client certificate or skipped verification needs a transport of its own; otherwise the profile's (ca_file, proxies, --verbose).
  const ownTls = settings.cert_file !== undefined || settings.key_file !== undefined || settings.insecure_skip_verify;
  const transport: TransportOptions = ownTls
    ? {
        tls: {
          ...(settings.ca_file === undefined ? {} : { caFile: settings.ca_file }),
          ...(settings.cert_file === undefined ? {} : { certFile: resolve(settings.cert_file) }),
          ...(settings.key_file === undefined ? {} : { keyFile: resolve(settings.key_file) }),
          insecureSkipVerify: settings.insecure_skip_verify,
        },
      }
    : { fetch: ctx.fetch };
  return { url: settings.url, credentials, signal: ctx.signal, ...transport, ...(ctx.timeoutMs === undefined ? {} : { timeoutMs: ctx.timeoutMs }) };
}

function userAdmin(ctx: Context): UserAdmin {
  return ctx.settings.mode === 'oss' ? ossUserAdmin(new OssClient(connection(ctx))) : metaUserAdmin(new MetaClient(connection(ctx)));
}

function metaClient(ctx: Context): MetaClient {
  if (ctx.settings.mode === 'oss') {
    throw new AuthError('USAGE', `roles do not exist in InfluxDB OSS 1.x (profile "${ctx.profile}" has mode = "oss")`, {
      profile: ctx.profile,
      key: `profiles.${ctx.profile}.mode`,
      hint: 'grant permissions to each user with `authctl influx-meta users grant`, or use an Enterprise profile (mode = "enterprise")',
    });
  }
  return new MetaClient(connection(ctx));
}

function arg(input: AdminInput, name: string): string {
  return String(input.args[name]);
}

function words(input: AdminInput, name: string): string[] {
  const value = input.args[name];
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

const passwordStdin: AdminOption = {
  name: 'password-stdin',
  description: `read the user's password from stdin (after the admin password, if that is read there too); else ${NEW_PASSWORD_ENV} or a hidden prompt`,
  secretFromStdin: 'Password',
};
const databaseOption: AdminOption = { name: 'database', value: 'DB', description: 'the database the permissions apply to (default: cluster-wide, "")' };
const adminSwitch: AdminOption = { name: 'admin', description: 'InfluxDB OSS: ALL PRIVILEGES (admin) instead of per-database permissions' };

/** A new password: `--password-stdin`, else the environment, else a hidden prompt. Never argv. */
async function newPassword(ctx: Context, input: AdminInput, user: string): Promise<string> {
  const fromStdin = input.options['password-stdin'];
  if (typeof fromStdin === 'string') return fromStdin;
  const fromEnv = process.env[NEW_PASSWORD_ENV];
  if (fromEnv) return fromEnv;
  const typed = await ctx.interaction.promptSecret(`Password for ${user}`, { confirm: true });
  if (!typed) throw new AuthError('USAGE', `no password given for ${user}`, { hint: `type one, pipe it with --password-stdin, or set ${NEW_PASSWORD_ENV}` });
  return typed;
}

function grantRequest(input: AdminInput): GrantRequest {
  const database = input.options.database;
  return { permissions: words(input, 'permissions'), database: typeof database === 'string' ? database : '', admin: input.options.admin === true };
}

function done(data: Record<string, unknown>, line: string): AdminResult {
  return { data, render: () => [line] };
}

/** `scope:Perm,Perm` per scope, `""` shown as `*` (cluster-wide). */
function scopesText(scopes: PermissionScopes): string {
  return Object.entries(scopes)
    .map(([scope, names]) => `${scope === '' ? '*' : scope}:${names.join(',')}`)
    .join(' ');
}

function grantText(request: GrantRequest): string {
  if (request.admin) return 'ALL PRIVILEGES (admin)';
  return `${request.permissions.join(', ')} on ${request.database === '' ? 'the whole cluster' : `database ${request.database}`}`;
}

const usersCreate: Command = {
  path: ['users', 'create'],
  summary: 'create a user (its password from --password-stdin, AUTHCTL_NEW_PASSWORD or a hidden prompt)',
  args: [{ name: 'name', description: 'the username' }],
  options: [passwordStdin, adminSwitch],
  async run(ctx, input) {
    const name = arg(input, 'name');
    const admin = input.options.admin === true;
    const password = await newPassword(ctx, input, name);
    const server = userAdmin(ctx);
    await server.createUser(name, password, admin);
    return done({ action: 'create', user: name, admin, url: server.url }, `Created user ${name}${admin ? ' (admin)' : ''} at ${server.url}`);
  },
};

const usersDelete: Command = {
  path: ['users', 'delete'],
  summary: 'delete a user',
  args: [{ name: 'name', description: 'the username' }],
  async run(ctx, input) {
    const name = arg(input, 'name');
    const server = userAdmin(ctx);
    await server.deleteUser(name);
    return done({ action: 'delete', user: name, url: server.url }, `Deleted user ${name} at ${server.url}`);
  },
};

const usersSetPassword: Command = {
  path: ['users', 'set-password'],
  summary: "change a user's password (from --password-stdin, AUTHCTL_NEW_PASSWORD or a hidden prompt)",
  args: [{ name: 'name', description: 'the username' }],
  options: [passwordStdin],
  async run(ctx, input) {
    const name = arg(input, 'name');
    const password = await newPassword(ctx, input, name);
    const server = userAdmin(ctx);
    await server.setPassword(name, password);
    return done({ action: 'set-password', user: name, url: server.url }, `Changed the password of ${name} at ${server.url}`);
  },
};

const permissionsArg = { name: 'permissions', description: 'permission names (ReadData, WriteData, KapacitorAPI, ...)', variadic: true, required: false };

const usersGrant: Command = {
  path: ['users', 'grant'],
  summary: 'give a user permissions (OSS: ReadData → READ, WriteData → WRITE, both → ALL on --database; --admin → ALL PRIVILEGES)',
  args: [{ name: 'user', description: 'the username' }, permissionsArg],
  options: [databaseOption, adminSwitch],
  async run(ctx, input) {
    const name = arg(input, 'user');
    const request = grantRequest(input);
    const server = userAdmin(ctx);
    await server.grant(name, request);
    return done({ action: 'grant', user: name, ...request, url: server.url }, `Granted ${grantText(request)} to ${name}`);
  },
};

const usersRevoke: Command = {
  path: ['users', 'revoke'],
  summary: 'take permissions from a user (the same names and mapping as grant)',
  args: [{ name: 'user', description: 'the username' }, permissionsArg],
  options: [databaseOption, adminSwitch],
  async run(ctx, input) {
    const name = arg(input, 'user');
    const request = grantRequest(input);
    const server = userAdmin(ctx);
    await server.revoke(name, request);
    return done({ action: 'revoke', user: name, ...request, url: server.url }, `Revoked ${grantText(request)} from ${name}`);
  },
};

function userLine(user: ListedUser): string {
  return [user.name, ...(user.admin ? ['admin'] : []), scopesText(user.permissions)].filter(Boolean).join('\t');
}

const usersList: Command = {
  path: ['users', 'list'],
  summary: 'list the users and their permissions',
  async run(ctx) {
    const users = await userAdmin(ctx).listUsers();
    return { data: users, render: () => users.map(userLine) };
  },
};

const roleArg = { name: 'role', description: 'the role name' };

const rolesCreate: Command = {
  path: ['roles', 'create'],
  summary: 'create a role (Enterprise)',
  args: [roleArg],
  async run(ctx, input) {
    const role = arg(input, 'role');
    const meta = metaClient(ctx);
    await meta.createRole(role);
    return done({ action: 'create', role, url: meta.url }, `Created role ${role} at ${meta.url}`);
  },
};

const rolesDelete: Command = {
  path: ['roles', 'delete'],
  summary: 'delete a role (Enterprise)',
  args: [roleArg],
  async run(ctx, input) {
    const role = arg(input, 'role');
    const meta = metaClient(ctx);
    await meta.deleteRole(role);
    return done({ action: 'delete', role, url: meta.url }, `Deleted role ${role} at ${meta.url}`);
  },
};

function rolePermissions(input: AdminInput): PermissionScopes {
  const { permissions, database } = grantRequest(input);
  if (permissions.length === 0) throw new AuthError('USAGE', 'name at least one permission', { hint: 'e.g. KapacitorAPI KapacitorConfigAPI' });
  return { [database]: permissions };
}

const rolesGrant: Command = {
  path: ['roles', 'grant'],
  summary: 'give a role permissions (Enterprise)',
  args: [roleArg, permissionsArg],
  options: [databaseOption],
  async run(ctx, input) {
    const role = arg(input, 'role');
    const permissions = rolePermissions(input);
    const meta = metaClient(ctx);
    await meta.addRolePermissions(role, permissions);
    return done({ action: 'grant', role, permissions, url: meta.url }, `Granted ${scopesText(permissions)} to role ${role}`);
  },
};

const rolesRevoke: Command = {
  path: ['roles', 'revoke'],
  summary: 'take permissions from a role (Enterprise)',
  args: [roleArg, permissionsArg],
  options: [databaseOption],
  async run(ctx, input) {
    const role = arg(input, 'role');
    const permissions = rolePermissions(input);
    const meta = metaClient(ctx);
    await meta.removeRolePermissions(role, permissions);
    return done({ action: 'revoke', role, permissions, url: meta.url }, `Revoked ${scopesText(permissions)} from role ${role}`);
  },
};

const usersArg = { name: 'users', description: 'usernames', variadic: true };

const rolesAddUsers: Command = {
  path: ['roles', 'add-users'],
  summary: 'add users to a role (Enterprise)',
  args: [roleArg, usersArg],
  async run(ctx, input) {
    const role = arg(input, 'role');
    const users = words(input, 'users');
    const meta = metaClient(ctx);
    await meta.addRoleUsers(role, users);
    return done({ action: 'add-users', role, users, url: meta.url }, `Added ${users.join(', ')} to role ${role}`);
  },
};

const rolesRemoveUsers: Command = {
  path: ['roles', 'remove-users'],
  summary: 'remove users from a role (Enterprise)',
  args: [roleArg, usersArg],
  async run(ctx, input) {
    const role = arg(input, 'role');
    const users = words(input, 'users');
    const meta = metaClient(ctx);
    await meta.removeRoleUsers(role, users);
    return done({ action: 'remove-users', role, users, url: meta.url }, `Removed ${users.join(', ')} from role ${role}`);
  },
};

const rolesList: Command = {
  path: ['roles', 'list'],
  summary: 'list the roles, their permissions and users (Enterprise)',
  async run(ctx) {
    const roles = await metaClient(ctx).roles();
    return { data: roles, render: () => roles.map((r) => [r.name, scopesText(r.permissions), r.users.join(',')].join('\t')) };
  },
};

export const influxMetaAdminCommands: AdminCapability<InfluxMetaSettings> = {
  specificationVersion: 'v1',
  commands: [
    usersCreate,
    usersDelete,
    usersSetPassword,
    usersGrant,
    usersRevoke,
    usersList,
    rolesCreate,
    rolesDelete,
    rolesGrant,
    rolesRevoke,
    rolesAddUsers,
    rolesRemoveUsers,
    rolesList,
  ],
};
