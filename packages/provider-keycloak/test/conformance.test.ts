import { startKeycloakAdminDouble, type KeycloakAdminDouble } from '@auth/testkit';
import { describeAdminConformance, describeProviderConformance, type ConformanceIdP } from '@auth/testkit/conformance';
import { keycloak, keycloakAdmin } from '../src/index.js';

/**
 * Keycloak's realm discovery (`{url}/realms/{realm}/.well-known/openid-configuration`)
 * is served by the testkit's Keycloak admin double, whose clients log in by
 * client credentials; a service-account client is registered there with the
 * provider's own admin code.
 */
interface RealmIdP extends ConformanceIdP {
  double: KeycloakAdminDouble;
  client: { id: string; secret: string };
}

async function realmIdP(): Promise<RealmIdP> {
  const double = await startKeycloakAdminDouble();
  const client = { id: 'conformance-svc', secret: 'conformance-svc-secret' };
  await keycloakAdmin({ url: double.url, credentials: { username: double.admin.username, password: double.admin.password } }).clients.registerClient(client.id, {
    clientSecret: client.secret,
  });
  return { issuer: `${double.base}/realms/${double.realm}`, double, client, close: () => double.close() };
}

describeProviderConformance({
  provider: () => keycloak,
  idp: realmIdP,
  manifest: {
    capabilities: ['oauth', 'admin'],
    server: 'discovery',
    settings: (idp) => ({ url: idp.double.url, realm: idp.double.realm }),
    flows: ['client-credentials'],
    serviceAccount: (idp) => ({ settings: { service_account: { client_id: idp.client.id } }, secret: idp.client.secret }),
  },
});

describeAdminConformance({
  provider: () => keycloak,
  manifest: {
    commands: {
      'clients register': { secrets: ['secret-stdin'], handsBack: ['secret-stdin'] },
      'clients list': {},
      'clients get': {},
      'clients update': { secrets: ['secret-stdin'], handsBack: ['secret-stdin'] },
      'clients delete': {},
      'roles list': {},
      'users create': { secrets: ['password-stdin'] },
      'users list': {},
      'users set-password': { secrets: ['password-stdin'] },
      'users assign-roles': {},
      'users unassign-roles': {},
      'users delete': {},
    },
    server: async () => {
      const double = await startKeycloakAdminDouble();
      return {
        settings: { url: double.url, realm: double.realm, admin: { username: double.admin.username } },
        adminPassword: double.admin.password,
        close: () => double.close(),
      };
    },
    runs: [
      { command: 'clients register', args: { name: 'ingest' }, options: { roles: 'insights.query', 'save-profile': 'ingest' } },
      { command: 'clients register', args: { name: 'shown-once' } },
      { command: 'clients update', args: { name: 'ingest' }, options: { 'token-lifespan': '600' } },
      { command: 'clients list', options: { 'with-secret': true } },
      { command: 'clients get', args: { name: 'ingest' } },
      { command: 'roles list' },
      { command: 'users create', args: { username: 'carol' }, options: { email: 'carol@example.com' } },
      { command: 'users set-password', args: { username: 'carol' }, options: { temporary: true } },
      { command: 'users assign-roles', args: { username: 'carol', roles: ['insights.query'] } },
      { command: 'users unassign-roles', args: { username: 'carol', roles: ['insights.query'] } },
      { command: 'users list' },
      { command: 'users delete', args: { username: 'carol' } },
    ],
  },
});
