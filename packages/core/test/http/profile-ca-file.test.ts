import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { resolveProfile } from '../../src/config/resolve-profile.js';
import { login } from '../../src/session/login.js';
import { logout } from '../../src/session/logout.js';
import { createMemoryStore } from '../../src/stores/memory-store.js';
import { emitted, recordingInteraction } from '../flows/support/interaction.js';
import { sessionFor, testProvider } from '../flows/support/session.js';
import { rejectedAuthError, thrownAuthError, useTempDirs } from '../stores/helpers.js';
import { startPrivateCaIdP, type PrivateCaIdP } from './support.js';

let dir: string;
let https: PrivateCaIdP;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'authctl-core-ca-'));
  https = await startPrivateCaIdP(dir, 'idp');
});
afterAll(async () => {
  await https?.idp.close();
  await rm(dir, { recursive: true, force: true });
});

const serviceAccount = () => ({
  issuer: https.idp.issuer,
  client_id: 'authctl',
  service_account: { client_id: 'svc' },
  flow: 'client-credentials',
});
const svcSecret = { clientSecret: async () => 'svc-secret' };

describe('a profile with ca_file', () => {
  it('trusts its CA for discovery, the token request and RFC 7009 revocation', async () => {
    const store = createMemoryStore();
    const profile = { ...serviceAccount(), ca_file: https.caFile };
    const credential = await login(sessionFor(profile, { store, secrets: svcSecret }));
    expect(credential.tokens.access_token).not.toBe('');
    expect(credential.server.token_endpoint).toBe(`${https.idp.issuer}/token`);
    const { interaction, steps } = recordingInteraction();
    expect(await logout(sessionFor(profile, { store, secrets: svcSecret, interaction }))).toMatchObject({
      revoked: true,
      deleted: true,
      revocation: { outcome: 'answered', revoked: ['access_token'], unrevocable: [] },
    });
    expect(steps).toEqual([]);
  });

  it('trusts its CA for RFC 8628 device authorization and polling', async () => {
    https.idp.setDeviceCodeTtl(1);
    try {
      const { interaction, steps } = recordingInteraction();
      const profile = { issuer: https.idp.issuer, client_id: 'authctl', flow: 'device', ca_file: https.caFile };
      // Nobody approves: the code expires, which only a poll that reached the IdP over TLS can tell.
      const error = await rejectedAuthError(login(sessionFor(profile, { interaction })));
      expect(error.code).toBe('EXPIRED_TOKEN');
      expect(emitted(steps, 'device_code')).toHaveLength(1);
      expect(https.idp.devicePolls().length).toBeGreaterThan(0);
    } finally {
      https.idp.setDeviceCodeTtl(600);
    }
  });

  it('without ca_file the same login fails: NETWORK naming the discovery URL, the hint names ca_file', async () => {
    const error = await rejectedAuthError(login(sessionFor(serviceAccount(), { secrets: svcSecret })));
    expect(error.code).toBe('NETWORK');
    expect(error.message).toContain(`${https.idp.issuer}/.well-known/openid-configuration`);
    expect(error.hint).toContain('ca_file = "/path/to/ca.pem" in [profiles.dev]');
  });
});

describe('ca_file in config.toml', () => {
  const tempDir = useTempDirs();

  async function resolveWith(caFile: string) {
    const home = await tempDir();
    await writeFile(join(home, 'config.toml'), `[profiles.dev]\nprovider = "test"\nissuer = "https://idp.example.com"\nca_file = ${JSON.stringify(caFile)}\n`);
    const config = await loadConfig({ env: { AUTHCTL_HOME: home } });
    return { home, config, resolve: () => resolveProfile(config, 'dev', testProvider) };
  }

  it('a relative path is relative to the config file, and resolves to an absolute path', async () => {
    const { home, resolve } = await resolveWith('certs/ca.pem');
    await mkdir(join(home, 'certs'));
    await copyFile(https.caFile, join(home, 'certs', 'ca.pem'));
    expect(resolve().settings.ca_file).toBe(join(home, 'certs', 'ca.pem'));
  });

  it('a missing file is CONFIG_INVALID naming the file, profile, key and path', async () => {
    const { home, config, resolve } = await resolveWith('missing.pem');
    const error = thrownAuthError(resolve);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toBe(`${config.file}: profiles.dev.ca_file names ${join(home, 'missing.pem')}, which does not exist`);
    expect(error.details).toMatchObject({ file: config.file, profile: 'dev', key: 'profiles.dev.ca_file' });
    expect(error.hint).toContain('PEM file of the CA');
  });

  it('a folder, a file without a certificate, and a broken certificate are each CONFIG_INVALID', async () => {
    const { home, resolve: folder } = await resolveWith('.');
    expect(thrownAuthError(folder).message).toContain(`names ${home}, which is a folder, not a PEM file`);

    const notPem = await resolveWith('ca.pem');
    await writeFile(join(notPem.home, 'ca.pem'), 'not a certificate\n');
    expect(thrownAuthError(notPem.resolve).message).toContain('which holds no PEM certificate');

    const broken = await resolveWith('ca.pem');
    await writeFile(join(broken.home, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    expect(thrownAuthError(broken.resolve).message).toContain('which holds a certificate that cannot be parsed (block 1 of 1)');
  });

  it('must be a string', async () => {
    const home = await tempDir();
    await writeFile(join(home, 'config.toml'), '[profiles.dev]\nprovider = "test"\nissuer = "https://idp.example.com"\nca_file = 1\n');
    const config = await loadConfig({ env: { AUTHCTL_HOME: home } });
    expect(thrownAuthError(() => resolveProfile(config, 'dev', testProvider)).message).toBe(
      `${config.file}: profiles.dev.ca_file must be the path of a PEM file (got 1)`,
    );
  });
});
