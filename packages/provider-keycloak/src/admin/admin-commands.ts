import { AuthError, type AdminCapability, type AdminCommand, type AdminContext, type AdminInput, type AdminResult } from '@auth/core/provider';
import type { KeycloakSettings } from '../options.js';
import type { RoleSelection } from './client-manager.js';
import { keycloakAdmin, type KeycloakAdmin } from './keycloak-admin.js';
import type { AdminUser, AuthClient } from './representations.js';

type Command = AdminCommand<KeycloakSettings>;
type Context = AdminContext<KeycloakSettings>;

/** The realm of the profile, administered with `[profiles.NAME.admin]` credentials. */
function connect(ctx: Context): KeycloakAdmin {
  const { settings } = ctx;
  if (!settings.admin?.username) {
    throw new AuthError('CONFIG_INVALID', `profile "${ctx.profile}" has no [profiles.${ctx.profile}.admin] username`, {
      profile: ctx.profile,
      key: `profiles.${ctx.profile}.admin.username`,
      hint: `add [profiles.${ctx.profile}.admin] with username = "admin" (the password is never stored: AUTHCTL_ADMIN_PASSWORD, --admin-password-stdin or a prompt)`,
    });
  }
  return keycloakAdmin({
    url: settings.url,
    base_path: settings.base_path,
    realm: settings.realm,
    username: settings.admin.username,
    password: ctx.adminPassword,
    adminRealm: settings.admin.realm,
    adminClientId: settings.admin.client_id,
    timeoutMs: ctx.timeoutMs,
    fetch: ctx.fetch,
    signal: ctx.signal,
    allowHttp: settings.allow_http,
    profile: ctx.profile,
  });
}

const secretOption = (name: string, label: string, description: string) => ({ name, description, secretFromStdin: label });
const tokenLifespan = { name: 'token-lifespan', value: 'SECONDS', description: 'access token lifespan of the client (attribute access.token.lifespan)' };
const withSecret = { name: 'with-secret', description: 'also fetch and show the client secret' };

function text(input: AdminInput, name: string): string | undefined {
  const value = input.options[name];
  return typeof value === 'string' ? value : undefined;
}

function arg(input: AdminInput, name: string): string {
  return String(input.args[name]);
}

function list(input: AdminInput, name: string): string[] {
  const value = input.args[name];
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

function seconds(input: AdminInput): number | undefined {
  const raw = text(input, 'token-lifespan');
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new AuthError('USAGE', `--token-lifespan expects a positive whole number of seconds, got "${raw}"`, { hint: 'e.g. --token-lifespan 3600' });
  }
  return value;
}

/** `all`, `none`, or `ROLE,ROLE`. */
function roleSelection(raw: string | undefined): RoleSelection {
  if (raw === undefined || raw === 'all') return 'all';
  if (raw === 'none') return null;
  const names = raw.split(',').map((r) => r.trim()).filter(Boolean);
  if (names.length === 0) throw new AuthError('USAGE', '--roles expects all, none or ROLE,ROLE', { hint: 'e.g. --roles insights.query,insights.schema.get' });
  return names;
}

function clientLines(client: AuthClient): string[] {
  return [`${client.id}\t${client.uuid}${client.secret === undefined ? '' : `\t${client.secret}`}`];
}

function clientResult(client: AuthClient): AdminResult {
  return { data: client, render: () => clientLines(client) };
}

function clientsResult(clients: AuthClient[]): AdminResult {
  return { data: clients, render: () => clients.flatMap(clientLines) };
}

function userLine(user: AdminUser): string {
  return `${user.username}\t${user.id}${user.email ? `\t${user.email}` : ''}${user.enabled ? '' : '\t(disabled)'}`;
}

const clientsRegister: Command = {
  path: ['clients', 'register'],
  summary: 'create a service-account client, or update its secret and lifespan; then assign realm roles (idempotent)',
  args: [{ name: 'name', description: 'the clientId' }],
  options: [
    secretOption('secret-stdin', 'Client secret', 'read the client secret from stdin (after the admin password); else Keycloak generates one'),
    tokenLifespan,
    { name: 'roles', value: 'all|none|ROLE,ROLE', description: 'realm roles for the service account (default: all)' },
    { name: 'save-profile', value: 'PROFILE', newProfile: true, description: 'save a profile that logs in as this client (login --serviceaccount); its secret goes to the credential store' },
  ],
  async run(ctx, input) {
    const name = arg(input, 'name');
    const given = text(input, 'secret-stdin');
    const roles = roleSelection(text(input, 'roles'));
    const admin = connect(ctx);
    const existed = (await admin.clients.listClients({ clientId: name, withSecret: false })).length > 0;
    const client = await admin.clients.registerClient(name, { clientSecret: given, tokenLifespan: seconds(input), roles });
    const saveAs = text(input, 'save-profile');
    if (saveAs !== undefined) {
      const { settings } = ctx;
      await ctx.saveProfile(
        saveAs,
        {
          provider: 'keycloak',
          url: settings.url,
          realm: settings.realm,
          ...(settings.base_path ? { base_path: settings.base_path } : {}),
          ...(settings.allow_http === undefined ? {} : { allow_http: settings.allow_http }),
          service_account: { client_id: client.id },
        },
        { clientSecret: client.secret },
      );
    }
    // The secret is shown once, when the client is created, unless it went to the credential store.
    const shown: AuthClient = existed || saveAs !== undefined ? withoutSecret(client) : client;
    return {
      data: shown,
      render: () => [
        ...clientLines(shown),
        ...(saveAs !== undefined ? [`# secret saved for profile "${saveAs}": authctl --profile ${saveAs} login --serviceaccount`] : []),
        ...(shown.secret !== undefined ? ['# the secret is shown only this once'] : []),
      ],
    };
  },
};

function withoutSecret(client: AuthClient): AuthClient {
  const { secret: _hidden, ...rest } = client;
  return rest;
}

const clientsList: Command = {
  path: ['clients', 'list'],
  summary: 'list the clients of the realm',
  options: [{ name: 'client-id', value: 'NAME', description: 'only the client with this clientId' }, withSecret],
  async run(ctx, input) {
    const clients = await connect(ctx).clients.listClients({ clientId: text(input, 'client-id'), withSecret: input.options['with-secret'] === true });
    return clientsResult(clients);
  },
};

const clientsGet: Command = {
  path: ['clients', 'get'],
  summary: 'show one client',
  args: [{ name: 'name', description: 'the clientId' }],
  options: [withSecret],
  async run(ctx, input) {
    return clientResult(await connect(ctx).clients.getClient(arg(input, 'name'), { withSecret: input.options['with-secret'] === true }));
  },
};

const clientsUpdate: Command = {
  path: ['clients', 'update'],
  summary: 'change the secret or the token lifespan of a client',
  args: [{ name: 'name', description: 'the clientId' }],
  options: [secretOption('secret-stdin', 'New client secret', 'read the new client secret from stdin (after the admin password)'), tokenLifespan],
  async run(ctx, input) {
    const { clients } = connect(ctx);
    const client = await clients.getClient(arg(input, 'name'), { withSecret: false });
    const updated = await clients.updateClient(client, { secret: text(input, 'secret-stdin'), tokenLifespan: seconds(input) });
    return clientResult(withoutSecret(updated));
  },
};

const clientsDelete: Command = {
  path: ['clients', 'delete'],
  summary: 'delete a client by its UUID',
  args: [{ name: 'uuid', description: 'the client UUID (`clients list` shows it)' }],
  async run(ctx, input) {
    const uuid = arg(input, 'uuid');
    await connect(ctx).clients.deleteClientByUuid(uuid);
    return { data: { deleted: uuid }, render: () => [`deleted client ${uuid}`] };
  },
};

const rolesList: Command = {
  path: ['roles', 'list'],
  summary: 'list the realm roles',
  async run(ctx) {
    const roles = await connect(ctx).clients.allRoles();
    const names = roles.map((role) => role.name).sort();
    return { data: roles.map(({ id, name, description }) => ({ id, name, ...(description ? { description } : {}) })), render: () => names };
  },
};

const usersCreate: Command = {
  path: ['users', 'create'],
  summary: 'create a user, optionally with a password',
  args: [{ name: 'username', description: 'the new username' }],
  options: [
    { name: 'email', value: 'EMAIL', description: 'email address' },
    // Keycloak 24+ user profiles require both names: without them the user cannot log in until a login page has asked for them.
    { name: 'first-name', value: 'NAME', description: 'first name (Keycloak 24+ asks for it at the first login when absent)' },
    { name: 'last-name', value: 'NAME', description: 'last name (likewise)' },
    secretOption('password-stdin', 'Password', 'read the password from stdin (after the admin password)'),
    { name: 'temporary', description: 'the user must change the password at the next login' },
  ],
  async run(ctx, input) {
    const user = await connect(ctx).users.createUser(arg(input, 'username'), {
      email: text(input, 'email'),
      firstName: text(input, 'first-name'),
      lastName: text(input, 'last-name'),
      password: text(input, 'password-stdin'),
      temporary: input.options.temporary === true,
    });
    return { data: user, render: () => [userLine(user)] };
  },
};

const usersList: Command = {
  path: ['users', 'list'],
  summary: 'list the users of the realm',
  options: [{ name: 'search', value: 'TEXT', description: 'only users whose username, email or name contains TEXT' }],
  async run(ctx, input) {
    const users = await connect(ctx).users.listUsers({ search: text(input, 'search') });
    return { data: users, render: () => users.map(userLine) };
  },
};

const usersSetPassword: Command = {
  path: ['users', 'set-password'],
  summary: 'set the password of a user',
  args: [{ name: 'username', description: 'the user' }],
  options: [
    secretOption('password-stdin', 'New password', 'read the new password from stdin (after the admin password); else a hidden prompt'),
    { name: 'temporary', description: 'the user must change it at the next login' },
  ],
  async run(ctx, input) {
    const username = arg(input, 'username');
    const password = text(input, 'password-stdin') ?? (await ctx.interaction.promptSecret(`New password for ${username}`, { confirm: true }));
    await connect(ctx).users.setPassword(username, password, { temporary: input.options.temporary === true });
    const temporary = input.options.temporary === true;
    return { data: { username, temporary }, render: () => [`password set for ${username}${temporary ? ' (temporary)' : ''}`] };
  },
};

function roleCommand(verb: 'assign-roles' | 'unassign-roles'): Command {
  const assign = verb === 'assign-roles';
  return {
    path: ['users', verb],
    summary: assign ? 'give a user realm roles' : 'take realm roles from a user',
    args: [
      { name: 'username', description: 'the user (a service account is service-account-CLIENTID)' },
      { name: 'roles', description: 'realm role names', variadic: true },
    ],
    async run(ctx, input) {
      const username = arg(input, 'username');
      const { users } = connect(ctx);
      const changed = assign ? await users.assignRoles(username, list(input, 'roles')) : await users.unassignRoles(username, list(input, 'roles'));
      const roles = await users.userRoles(username);
      return {
        data: { username, [assign ? 'assigned' : 'unassigned']: changed, roles },
        render: () => [`${username}: ${roles.join(', ') || '(no realm roles)'}`],
      };
    },
  };
}

const usersDelete: Command = {
  path: ['users', 'delete'],
  summary: 'delete a user',
  args: [{ name: 'username', description: 'the user' }],
  async run(ctx, input) {
    const username = arg(input, 'username');
    await connect(ctx).users.deleteUser(username);
    return { data: { deleted: username }, render: () => [`deleted user ${username}`] };
  },
};

/** `authctl keycloak …`: kdb Insights' ClientManager (https://code.kx.com/insights/1.19/api/python/reference/authorization/client.html) and kxi's `user` command (https://code.kx.com/insights/1.10/enterprise/security/managing-service-accounts.html). */
export const keycloakAdminCommands: AdminCapability<KeycloakSettings> = {
  specificationVersion: 'v1',
  commands: [
    clientsRegister,
    clientsList,
    clientsGet,
    clientsUpdate,
    clientsDelete,
    rolesList,
    usersCreate,
    usersList,
    usersSetPassword,
    roleCommand('assign-roles'),
    roleCommand('unassign-roles'),
    usersDelete,
  ],
};
