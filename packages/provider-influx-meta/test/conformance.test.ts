import { startInfluxMetaDouble } from '@auth/testkit';
import { describeAdminConformance, describeProviderConformance } from '@auth/testkit/conformance';
import { influxMeta } from '../src/index.js';

// Users and roles of InfluxDB Enterprise's meta API (or InfluxDB OSS): an admin capability only.
describeProviderConformance({
  provider: () => influxMeta,
  manifest: {
    capabilities: ['admin'],
    settings: () => ({ url: 'http://127.0.0.1:8091', mode: 'enterprise', auth: 'basic', admin: { username: 'admin' } }),
  },
});

describeAdminConformance({
  provider: () => influxMeta,
  manifest: {
    commands: {
      'users create': { secrets: ['password-stdin'] },
      'users delete': {},
      'users set-password': { secrets: ['password-stdin'] },
      'users grant': {},
      'users revoke': {},
      'users list': {},
      'roles create': {},
      'roles delete': {},
      'roles grant': {},
      'roles revoke': {},
      'roles add-users': {},
      'roles remove-users': {},
      'roles list': {},
    },
    server: async () => {
      const admin = { username: 'admin', password: 'conformance-admin-password' };
      const double = await startInfluxMetaDouble({ admin });
      return { settings: { url: double.url, admin: { username: admin.username } }, adminPassword: admin.password, close: () => double.close() };
    },
    runs: [
      { command: 'users create', args: { name: 'carol' } },
      { command: 'users set-password', args: { name: 'carol' } },
      { command: 'users grant', args: { user: 'carol', permissions: ['ReadData'] }, options: { database: 'telegraf' } },
      { command: 'users revoke', args: { user: 'carol', permissions: ['ReadData'] }, options: { database: 'telegraf' } },
      { command: 'roles create', args: { role: 'readers' } },
      { command: 'roles grant', args: { role: 'readers', permissions: ['ReadData'] } },
      { command: 'roles add-users', args: { role: 'readers', users: ['carol'] } },
      { command: 'roles list' },
      { command: 'roles remove-users', args: { role: 'readers', users: ['carol'] } },
      { command: 'roles revoke', args: { role: 'readers', permissions: ['ReadData'] } },
      { command: 'roles delete', args: { role: 'readers' } },
      { command: 'users list' },
      { command: 'users delete', args: { name: 'carol' } },
    ],
  },
});
