import { AuthError } from '@auth/core/provider';
import { idFromLocation, type KeycloakAdminApi } from './admin-api.js';
import type { AuthClient, ClientRepresentation, CredentialRepresentation, RoleRepresentation, UserRepresentation } from './representations.js';
import { findRoles } from './realm-roles.js';

/** Roles for a client's service account: every realm role, these names, or none (`null`). */
export type RoleSelection = 'all' | readonly string[] | null;

export interface ClientSettings {
  /** Client secret; Keycloak generates one when absent. */
  clientSecret?: string;
  /** Access token lifespan in seconds (attribute `access.token.lifespan`). */
  tokenLifespan?: number;
  /** More ClientRepresentation fields, merged over the defaults. */
  config?: ClientRepresentation;
}

export interface RegisterClientOptions extends ClientSettings {
  /** Default `'all'`, as ClientManager.register_client. */
  roles?: RoleSelection;
}

export interface ClientUpdate {
  /** New secret; absent keeps the current one. */
  secret?: string;
  tokenLifespan?: number;
  config?: ClientRepresentation;
}

/**
 * kdb Insights' `ClientManager` (https://code.kx.com/insights/1.19/api/python/reference/authorization/client.html)
 * on the Keycloak Admin REST API (https://www.keycloak.org/docs-api/latest/rest-api/index.html): confidential clients with a service account,
 * their secrets, and the realm roles of their service-account users.
 */
export class ClientManager {
  constructor(
    private readonly api: KeycloakAdminApi,
    /** Base URL of the instance, reported as AuthClient.host. */
    private readonly host: string,
  ) {}

  /**
   * Idempotent upsert: creates the client, or updates its secret and
   * configuration; then assigns `roles` to its service account (each role
   * once: roles it already has are left alone).
   */
  async registerClient(clientId: string, options: RegisterClientOptions = {}): Promise<AuthClient> {
    const update = { secret: options.clientSecret, tokenLifespan: options.tokenLifespan, config: options.config };
    const existing = await this.findClient(clientId);
    let client: AuthClient;
    if (existing) {
      client = await this.updateClient(this.toAuthClient(existing), update);
    } else {
      try {
        client = await this.registerNewClient(clientId, options);
      } catch (error) {
        // Created by someone else between the lookup and the POST (409): update it instead.
        const raced = AuthError.is(error) && error.details.status === 409 ? await this.findClient(clientId) : undefined;
        if (!raced) throw error;
        client = await this.updateClient(this.toAuthClient(raced), update);
      }
    }
    const roles = options.roles === undefined ? 'all' : options.roles;
    if (roles !== null) await this.assignRoles(client, roles);
    return client.secret === undefined ? { ...client, secret: await this.secretOf(client.uuid) } : client;
  }

  /** Creates a client (409 when the clientId is taken: use `registerClient` for an upsert). */
  async registerNewClient(clientId: string, settings: ClientSettings = {}): Promise<AuthClient> {
    const representation: ClientRepresentation = {
      clientId,
      enabled: true,
      protocol: 'openid-connect',
      publicClient: false,
      serviceAccountsEnabled: true,
      standardFlowEnabled: false,
      directAccessGrantsEnabled: false,
      ...settings.config,
      attributes: { ...settings.config?.attributes, ...lifespanAttribute(settings.tokenLifespan) },
      ...(settings.clientSecret === undefined ? {} : { secret: settings.clientSecret }),
    };
    let created;
    try {
      created = await this.api.request('POST', '/clients', { body: representation });
    } catch (error) {
      throw withHint(error, 409, `use \`clients update ${clientId}\`, or \`clients register ${clientId}\` to update it in place`);
    }
    const uuid = idFromLocation(created, `client ${clientId}`, this.api.url('/clients'));
    return { host: this.host, id: clientId, uuid, secret: settings.clientSecret ?? (await this.secretOf(uuid)) };
  }

  /** Changes the secret (when given), the token lifespan and other fields; keeps everything else. */
  async updateClient(client: AuthClient, update: ClientUpdate = {}): Promise<AuthClient> {
    const { body: current } = await this.api.request<ClientRepresentation>('GET', `/clients/${encodeURIComponent(client.uuid)}`);
    const representation: ClientRepresentation = {
      ...current,
      ...update.config,
      attributes: { ...current.attributes, ...update.config?.attributes, ...lifespanAttribute(update.tokenLifespan) },
      ...(update.secret === undefined ? {} : { secret: update.secret }),
    };
    await this.api.request('PUT', `/clients/${encodeURIComponent(client.uuid)}`, { body: representation });
    const { secret: _previous, ...rest } = client;
    return update.secret === undefined ? rest : { ...rest, secret: update.secret };
  }

  /** One client by clientId; `withSecret` (default true, as ClientManager) fetches its secret. */
  async getClient(clientId: string, options: { withSecret?: boolean } = {}): Promise<AuthClient> {
    const found = await this.findClient(clientId);
    if (!found) {
      throw new AuthError('USAGE', `No client "${clientId}" in realm ${this.api.realm} at ${this.api.url('/clients')}`, {
        url: this.api.url('/clients'),
        status: 404,
        hint: 'run `clients list` to see the clients of the realm',
      });
    }
    return this.withSecret(this.toAuthClient(found), options.withSecret ?? true);
  }

  /** Every client of the realm, or the one with `clientId`. */
  async listClients(options: { clientId?: string; withSecret?: boolean } = {}): Promise<AuthClient[]> {
    const { body } = await this.api.request<ClientRepresentation[]>('GET', '/clients', { query: { clientId: options.clientId } });
    const clients = body.map((c) => this.toAuthClient(c));
    if (!(options.withSecret ?? true)) return clients;
    return Promise.all(clients.map((client) => this.withSecret(client, true)));
  }

  async deleteClientByUuid(uuid: string): Promise<void> {
    try {
      await this.api.request('DELETE', `/clients/${encodeURIComponent(uuid)}`);
    } catch (error) {
      throw withHint(error, 404, 'the argument is the client UUID; `clients list` shows it');
    }
  }

  /** Every realm role (Keycloak's built-ins such as `offline_access` included). */
  async allRoles(): Promise<RoleRepresentation[]> {
    return (await this.api.request<RoleRepresentation[]>('GET', '/roles')).body;
  }

  /**
   * Gives the client's service-account user these realm roles (`'all'`: every
   * realm role). Roles it already holds are not posted again. Returns the
   * names of the roles newly assigned.
   */
  async assignRoles(client: AuthClient, roles: 'all' | readonly string[]): Promise<string[]> {
    let user;
    try {
      user = (await this.api.request<UserRepresentation>('GET', `/clients/${encodeURIComponent(client.uuid)}/service-account-user`)).body;
    } catch (error) {
      throw withHint(error, 400, `enable service accounts on the client "${client.id}" (serviceAccountsEnabled), or register it with \`--roles none\``);
    }
    const realmRoles = await this.allRoles();
    const wanted = roles === 'all' ? realmRoles : findRoles(realmRoles, roles, this.api.url('/roles'));
    const mappingPath = `/users/${encodeURIComponent(String(user.id))}/role-mappings/realm`;
    const held = new Set((await this.api.request<RoleRepresentation[]>('GET', mappingPath)).body.map((r) => r.name));
    const missing = wanted.filter((role) => !held.has(role.name));
    if (missing.length > 0) {
      await this.api.request('POST', mappingPath, { body: missing.map(({ id, name }) => ({ id, name })) });
    }
    return missing.map((role) => role.name);
  }

  private async findClient(clientId: string): Promise<ClientRepresentation | undefined> {
    // `clientId=` is an exact match unless `search=true` (Keycloak's ClientsResource).
    const { body } = await this.api.request<ClientRepresentation[]>('GET', '/clients', { query: { clientId } });
    return body.find((client) => client.clientId === clientId);
  }

  private async secretOf(uuid: string): Promise<string | undefined> {
    const { body } = await this.api.request<CredentialRepresentation>('GET', `/clients/${encodeURIComponent(uuid)}/client-secret`);
    return body?.value;
  }

  private async withSecret(client: AuthClient, wanted: boolean): Promise<AuthClient> {
    if (!wanted) return client;
    const secret = await this.secretOf(client.uuid);
    return secret === undefined ? client : { ...client, secret };
  }

  private toAuthClient(representation: ClientRepresentation): AuthClient {
    return { host: this.host, id: String(representation.clientId), uuid: String(representation.id) };
  }
}

function lifespanAttribute(seconds: number | undefined): Record<string, string> {
  return seconds === undefined ? {} : { 'access.token.lifespan': String(seconds) };
}

/** Adds what to do next to a Keycloak answer with this status. */
export function withHint(error: unknown, status: number, hint: string): unknown {
  if (AuthError.is(error) && error.details.status === status && error.hint === undefined) {
    return new AuthError(error.code, error.message, { ...error.details, hint, cause: error });
  }
  return error;
}
