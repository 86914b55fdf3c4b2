import { z } from 'zod';
import { resolveProfile } from '../../../src/config/resolve-profile.js';
import type { AuthctlConfig } from '../../../src/config/types.js';
import type { CredentialStore } from '../../../src/contracts/v1/credential-store.js';
import type { Interaction } from '../../../src/contracts/v1/interaction.js';
import { discoverAuthorizationServer, explicitAuthorizationServer } from '../../../src/flows/authorization-server.js';
import { defineProvider } from '../../../src/plugins/define-provider.js';
import type { SecretSources, SessionContext } from '../../../src/session/types.js';
import { createMemoryStore } from '../../../src/stores/memory-store.js';
import { recordingInteraction } from './interaction.js';

/**
 * The smallest real provider: discovery from `issuer`, or explicit
 * endpoints. Core's tests cannot use @auth/provider-oidc (it depends on core).
 */
export const testProvider = defineProvider({
  specificationVersion: 'v1',
  id: 'test',
  name: 'Test IdP',
  options: z.object({
    issuer: z.string().optional(),
    token_url: z.string().optional(),
    device_url: z.string().optional(),
    authorization_url: z.string().optional(),
    revocation_url: z.string().optional(),
  }),
  oauth: {
    specificationVersion: 'v1',
    async resolveServer(settings, io) {
      if (settings.issuer !== undefined) return discoverAuthorizationServer(settings.issuer, io);
      const { issuer: _none, token_url, ...rest } = settings;
      return explicitAuthorizationServer({ token_url: token_url!, ...rest });
    },
    issuerUrl: (settings) => settings.issuer,
    defaults: () => ({ scopes: ['openid'] }),
  },
});

export const CONFIG_FILE = '/nonexistent/authctl/config.toml';

export interface SessionOptions {
  name?: string;
  store?: CredentialStore;
  interaction?: Interaction;
  secrets?: SecretSources;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  now?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** A session on a profile resolved by the real config code, as `authctl` would build it. */
export function sessionFor(profile: Record<string, unknown>, options: SessionOptions = {}): SessionContext {
  const name = options.name ?? 'dev';
  const config: AuthctlConfig = {
    home: '/nonexistent/authctl',
    file: CONFIG_FILE,
    exists: true,
    store: { backend: 'file', path: '/nonexistent/authctl/state' },
    profiles: { [name]: { provider: 'test', ...profile } },
  };
  return {
    profile: resolveProfile(config, name, testProvider),
    provider: testProvider,
    store: options.store ?? createMemoryStore(),
    interaction: options.interaction ?? recordingInteraction().interaction,
    ...(options.secrets === undefined ? {} : { secrets: options.secrets }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
  };
}

/** A fetch that counts the requests going through it. */
export function countingFetch(): { fetch: typeof fetch; urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    fetch: (input, init) => {
      urls.push(String(input instanceof Request ? input.url : input));
      return fetch(input, init);
    },
  };
}
