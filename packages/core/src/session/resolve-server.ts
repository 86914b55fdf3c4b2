import type * as oauth from 'oauth4webapi';
import { checkEndpointUrl } from '../config/check-url.js';
import type { ProviderIO } from '../contracts/v1/provider.js';
import { explicitAuthorizationServer, issuerIsKnown } from '../flows/authorization-server.js';
import type { ServerRef } from '../token-set.js';
import { oauthCapability } from './oauth-provider.js';
import { sessionIO } from './session-io.js';
import type { SessionContext } from './types.js';

/** An authorization server with the transport settings its URLs allow. */
export interface CheckedServer {
  server: oauth.AuthorizationServer;
  io: ProviderIO;
}

/** The profile keys explicit endpoints are configured under. */
const ENDPOINT_KEYS = {
  token_endpoint: 'token_url',
  authorization_endpoint: 'authorization_url',
  device_authorization_endpoint: 'device_url',
  revocation_endpoint: 'revocation_url',
} as const;

/**
 * Asks the provider where its authorization server is (discovery or
 * explicit endpoints). The profile's own URLs were checked when it was
 * resolved; discovered endpoints are held to the same loopback-only `http://`
 * rule here, before any request goes to them.
 */
export async function resolveServer(ctx: SessionContext): Promise<CheckedServer> {
  const capability = oauthCapability(ctx);
  const settings = ctx.profile.settings;
  const issuer = capability.issuerUrl?.(settings);
  const discoveryIO = sessionIO(ctx, settings.allow_http === true || issuer?.startsWith('http:') === true);
  return checkServer(ctx, await capability.resolveServer(settings, discoveryIO));
}

/** The server a stored credential was issued by: no discovery, the endpoints are in the credential. */
export function storedServer(ctx: SessionContext, ref: ServerRef): CheckedServer {
  return checkServer(
    ctx,
    explicitAuthorizationServer({
      ...(ref.issuer === undefined ? {} : { issuer: ref.issuer }),
      token_url: ref.token_endpoint,
      ...(ref.revocation_endpoint === undefined ? {} : { revocation_url: ref.revocation_endpoint }),
    }),
  );
}

/** What a credential keeps of its server, for refresh and revocation later. */
export function serverRef(server: oauth.AuthorizationServer): ServerRef {
  return {
    ...(issuerIsKnown(server) ? { issuer: server.issuer } : {}),
    token_endpoint: String(server.token_endpoint),
    ...(server.revocation_endpoint === undefined ? {} : { revocation_endpoint: server.revocation_endpoint }),
  };
}

function checkServer(ctx: SessionContext, server: oauth.AuthorizationServer): CheckedServer {
  const { name, settings, file } = ctx.profile;
  let insecure = false;
  for (const [endpoint, key] of Object.entries(ENDPOINT_KEYS)) {
    const url = server[endpoint];
    if (typeof url !== 'string') continue;
    const where = settings[key] === undefined ? `${key} (the server's ${endpoint})` : key;
    const checked = checkEndpointUrl(url, { profile: name, key: where, file, allowHttp: settings.allow_http === true });
    insecure ||= checked.protocol === 'http:';
  }
  return { server, io: sessionIO(ctx, insecure) };
}
