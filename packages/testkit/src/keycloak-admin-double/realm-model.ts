import { randomBytes, randomUUID } from 'node:crypto';

/** A Keycloak answer: status, JSON body, headers (the Keycloak Admin REST API (https://www.keycloak.org/docs-api/latest/rest-api/index.html)). */
export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Role {
  id: string;
  name: string;
  description?: string;
  composite: boolean;
  clientRole: boolean;
  containerId: string;
}

export interface Client {
  id: string;
  clientId: string;
  secret?: string;
  enabled: boolean;
  protocol: string;
  publicClient: boolean;
  serviceAccountsEnabled: boolean;
  standardFlowEnabled: boolean;
  directAccessGrantsEnabled: boolean;
  attributes: Record<string, string>;
  [key: string]: unknown;
}

export interface User {
  id: string;
  username: string;
  email?: string;
  enabled: boolean;
  createdTimestamp: number;
  /** Set for a client's service-account user. */
  serviceAccountClientId?: string;
  password?: { value: string; temporary: boolean };
  roles: Set<string>;
}

/** ErrorRepresentation, Keycloak's shape for `ErrorResponse.exists()` and validation errors (https://github.com/keycloak/keycloak/blob/main/core/src/main/java/org/keycloak/representations/idm/ErrorRepresentation.java). */
const errorRepresentation = (status: number, errorMessage: string): Answer => ({
  status,
  body: { errorMessage },
});
/** Keycloak 26's `invalid_input`/`conflict` answers of ModelValidationException and ModelDuplicateException. */
const modelError = (status: number, error: string, description: string): Answer => ({ status, body: { error, error_description: description } });
/** OAuth2ErrorRepresentation, from the global KeycloakErrorHandler: `error` is the exception message
 * (https://github.com/keycloak/keycloak/blob/main/services/src/main/java/org/keycloak/services/error/KeycloakErrorHandler.java). */
const handlerError = (status: number, error: string): Answer => ({ status, body: { error } });
const ok = (body: unknown): Answer => ({ status: 200, body });
const noContent: Answer = { status: 204 };

const SERVICE_ACCOUNT_PREFIX = 'service-account-';

/**
 * One realm's clients, users and realm roles, with Keycloak's admin REST
 * semantics (the Keycloak Admin REST API (https://www.keycloak.org/docs-api/latest/rest-api/index.html)): exact `clientId` lookup, service-account users made with
 * their client, role mappings that need both `id` and `name`.
 */
export class RealmModel {
  readonly clients = new Map<string, Client>();
  readonly users = new Map<string, User>();
  readonly roles = new Map<string, Role>();
  private readonly defaultRole: string;

  constructor(
    readonly name: string,
    roleNames: readonly string[],
  ) {
    const id = randomUUID();
    // Every Keycloak realm has these built-ins, and gives new users default-roles-{realm}.
    this.defaultRole = `default-roles-${name}`;
    for (const role of [this.defaultRole, 'offline_access', 'uma_authorization', ...roleNames]) {
      this.roles.set(role, { id: randomUUID(), name: role, composite: role === this.defaultRole, clientRole: false, containerId: id });
    }
  }

  clientByClientId(clientId: string): Client | undefined {
    return [...this.clients.values()].find((c) => c.clientId === clientId);
  }

  userByName(username: string): User | undefined {
    return [...this.users.values()].find((u) => u.username === username.toLowerCase());
  }

  findClients(query: URLSearchParams): Answer {
    const clientId = query.get('clientId');
    const search = query.get('search') === 'true';
    const found = [...this.clients.values()].filter(
      (c) => clientId === null || (search ? c.clientId.includes(clientId) : c.clientId === clientId),
    );
    return ok(found.map((c) => this.clientView(c)));
  }

  createClient(body: Record<string, unknown>, location: (id: string) => string): Answer {
    const clientId = body.clientId;
    if (typeof clientId !== 'string' || clientId === '') return modelError(400, 'invalid_input', 'Client ID cannot be blank');
    if (this.clientByClientId(clientId)) return errorRepresentation(409, `Client ${clientId} already exists`);
    const id = randomUUID();
    const publicClient = body.publicClient === true;
    const client: Client = {
      ...body,
      id,
      clientId,
      enabled: body.enabled !== false,
      protocol: typeof body.protocol === 'string' ? body.protocol : 'openid-connect',
      publicClient,
      serviceAccountsEnabled: body.serviceAccountsEnabled === true,
      standardFlowEnabled: body.standardFlowEnabled !== false,
      directAccessGrantsEnabled: body.directAccessGrantsEnabled === true,
      attributes: stringAttributes(body.attributes),
      ...(publicClient ? {} : { secret: typeof body.secret === 'string' ? body.secret : newSecret() }),
    };
    this.clients.set(id, client);
    if (client.serviceAccountsEnabled) this.serviceAccountUser(client);
    return { status: 201, headers: { location: location(id) } };
  }

  getClient(id: string): Answer {
    const client = this.clients.get(id);
    return client ? ok(this.clientView(client)) : handlerError(404, 'Could not find client');
  }

  updateClient(id: string, body: Record<string, unknown>): Answer {
    const client = this.clients.get(id);
    if (!client) return handlerError(404, 'Could not find client');
    if (typeof body.clientId === 'string' && body.clientId !== client.clientId && this.clientByClientId(body.clientId)) {
      return modelError(409, 'conflict', 'Duplicate resource error');
    }
    const { id: _ignored, ...fields } = body;
    Object.assign(client, fields, { attributes: body.attributes === undefined ? client.attributes : stringAttributes(body.attributes) });
    if (client.serviceAccountsEnabled) this.serviceAccountUser(client);
    return noContent;
  }

  deleteClient(id: string): Answer {
    const client = this.clients.get(id);
    if (!client) return handlerError(404, 'Could not find client');
    this.clients.delete(id);
    for (const [userId, user] of this.users) if (user.serviceAccountClientId === id) this.users.delete(userId);
    return noContent;
  }

  clientSecret(id: string, regenerate: boolean): Answer {
    const client = this.clients.get(id);
    if (!client) return handlerError(404, 'Could not find client');
    if (regenerate) client.secret = newSecret();
    return ok({ type: 'secret', value: client.secret });
  }

  serviceAccountUserOf(id: string): Answer {
    const client = this.clients.get(id);
    if (!client) return handlerError(404, 'Could not find client');
    if (!client.serviceAccountsEnabled) return handlerError(400, `Service account not enabled for the client '${client.clientId}'`);
    return ok(this.userView(this.serviceAccountUser(client)));
  }

  listRoles(): Answer {
    return ok([...this.roles.values()]);
  }

  getRole(name: string): Answer {
    const role = this.roles.get(name);
    return role ? ok(role) : handlerError(404, 'Could not find role');
  }

  createUser(body: Record<string, unknown>, location: (id: string) => string): Answer {
    const username = typeof body.username === 'string' ? body.username.toLowerCase() : '';
    if (username === '') return errorRepresentation(400, 'User name is missing');
    if (this.userByName(username)) return errorRepresentation(409, 'User exists with same username');
    const email = typeof body.email === 'string' ? body.email : undefined;
    if (email !== undefined && [...this.users.values()].some((u) => u.email === email)) return errorRepresentation(409, 'User exists with same email');
    const user = this.addUser(username, { email, enabled: body.enabled !== false });
    return { status: 201, headers: { location: location(user.id) } };
  }

  findUsers(query: URLSearchParams): Answer {
    const username = query.get('username');
    const exact = query.get('exact') === 'true';
    const search = query.get('search');
    const max = Number(query.get('max') ?? 100);
    // INFERRED from kxi's `user assign-roles service-account-$KC_CLIENT_ID`: an exact username
    // lookup finds service-account users; listings and searches leave them out.
    const found = [...this.users.values()]
      .filter((u) => u.serviceAccountClientId === undefined || (exact && username !== null))
      .filter((u) => username === null || (exact ? u.username === username.toLowerCase() : u.username.includes(username.toLowerCase())))
      .filter((u) => search === null || u.username.includes(search.toLowerCase()) || (u.email ?? '').includes(search));
    return ok(found.slice(0, max).map((u) => this.userView(u)));
  }

  resetPassword(id: string, body: Record<string, unknown>): Answer {
    const user = this.users.get(id);
    if (!user) return handlerError(404, 'User not found');
    if (body.type !== 'password' || typeof body.value !== 'string' || body.value === '') return handlerError(400, 'Empty password not allowed');
    user.password = { value: body.value, temporary: body.temporary === true };
    return noContent;
  }

  deleteUser(id: string): Answer {
    return this.users.delete(id) ? noContent : handlerError(404, 'User not found');
  }

  roleMappings(id: string): Answer {
    const user = this.users.get(id);
    if (!user) return handlerError(404, 'User not found');
    return ok([...user.roles].map((name) => this.roles.get(name)).filter(Boolean));
  }

  changeRoleMappings(id: string, body: unknown, add: boolean): Answer {
    const user = this.users.get(id);
    if (!user) return handlerError(404, 'User not found');
    if (!Array.isArray(body)) return errorRepresentation(400, 'Expected an array of roles');
    const names: string[] = [];
    for (const entry of body as Array<{ id?: unknown; name?: unknown }>) {
      // The admin client's defs say both are required; a role is found by name and must match its id.
      const role = typeof entry.name === 'string' ? this.roles.get(entry.name) : undefined;
      if (!role || entry.id !== role.id) return handlerError(404, 'Role not found');
      names.push(role.name);
    }
    for (const name of names) (add ? user.roles.add(name) : user.roles.delete(name));
    return noContent;
  }

  addUser(username: string, fields: { email?: string; enabled?: boolean; serviceAccountClientId?: string } = {}): User {
    const user: User = {
      id: randomUUID(),
      username,
      enabled: fields.enabled !== false,
      createdTimestamp: Date.now(),
      roles: new Set([this.defaultRole]),
      ...(fields.email === undefined ? {} : { email: fields.email }),
      ...(fields.serviceAccountClientId === undefined ? {} : { serviceAccountClientId: fields.serviceAccountClientId }),
    };
    this.users.set(user.id, user);
    return user;
  }

  private serviceAccountUser(client: Client): User {
    const existing = [...this.users.values()].find((u) => u.serviceAccountClientId === client.id);
    return existing ?? this.addUser(`${SERVICE_ACCOUNT_PREFIX}${client.clientId}`.toLowerCase(), { serviceAccountClientId: client.id });
  }

  private clientView(client: Client): Record<string, unknown> {
    // Keycloak shows the secret in the client representation to realm admins, as it does here.
    return structuredClone({ ...client });
  }

  private userView(user: User): Record<string, unknown> {
    return {
      id: user.id,
      username: user.username,
      enabled: user.enabled,
      createdTimestamp: user.createdTimestamp,
      ...(user.email === undefined ? {} : { email: user.email }),
      ...(user.serviceAccountClientId === undefined ? {} : { serviceAccountClientId: user.serviceAccountClientId }),
    };
  }
}

function stringAttributes(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

function newSecret(): string {
  return randomBytes(24).toString('base64url');
}
