import type { KeycloakAdminApi } from './admin-api.js';
import { withHint } from './client-manager.js';
import type { EventRepresentation, RealmRepresentation, RoleRepresentation } from './representations.js';

/**
 * The realm itself: create it (with its token settings), delete it, and
 * define its realm roles. Paths from Keycloak's Admin REST API
 * (https://www.keycloak.org/docs-api/latest/rest-api/, "Realms Admin" and
 * "Roles"); creating a realm needs an administrator of the master realm.
 */
export class RealmManager {
  constructor(private readonly api: KeycloakAdminApi) {}

  /**
   * Creates the administered realm, enabled. `settings` are merged over
   * that, e.g. `{ revokeRefreshToken: true, refreshTokenMaxReuse: 0 }` for
   * refresh-token rotation ("Revoke Refresh Token") or `accessTokenLifespan`.
   */
  async createRealm(settings: RealmRepresentation = {}): Promise<void> {
    const representation: RealmRepresentation = { enabled: true, ...settings, realm: this.api.realm };
    try {
      await this.api.request('POST', '', { body: representation, realms: 'all' });
    } catch (error) {
      throw withHint(error, 409, `the realm ${this.api.realm} exists already`);
    }
  }

  /** The realm as Keycloak holds it. */
  async getRealm(): Promise<RealmRepresentation> {
    return (await this.api.request<RealmRepresentation>('GET', '')).body;
  }

  /**
   * The realm's stored user events of these types (`GET /events?type=…`),
   * newest first; the realm keeps them when `eventsEnabled` is on.
   */
  async events(types: readonly string[], options: { client?: string; max?: number } = {}): Promise<EventRepresentation[]> {
    const query = { type: types, client: options.client, max: String(options.max ?? 1000) };
    return (await this.api.request<EventRepresentation[]>('GET', '/events', { query })).body;
  }

  /** Deletes the realm with its clients, users and roles. */
  async deleteRealm(): Promise<void> {
    await this.api.request('DELETE', '');
  }

  /** A new realm role; returns it with the id Keycloak gave it. */
  async createRole(name: string, description?: string): Promise<RoleRepresentation> {
    try {
      await this.api.request('POST', '/roles', { body: { name, ...(description === undefined ? {} : { description }) } });
    } catch (error) {
      throw withHint(error, 409, `the realm role ${name} exists already`);
    }
    // The 201's Location names the role by name (`/roles/{role-name}`), not by id: read the role back for its id.
    return (await this.api.request<RoleRepresentation>('GET', `/roles/${encodeURIComponent(name)}`)).body;
  }
}
