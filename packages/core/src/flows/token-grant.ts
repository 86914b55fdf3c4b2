import type * as oauth from 'oauth4webapi';
import type { FlowContext } from '../contracts/v1/flow.js';
import { AuthError } from '../errors.js';
import { isAuthScheme, isB64Token } from '../token/token-syntax.js';
import type { TokenSet } from '../token-set.js';
import { issuerIsKnown } from './authorization-server.js';
import { flowFailureSite, toAuthError } from './map-error.js';
import { requestOptions } from './request-options.js';
import { toTokenSet } from './token-response.js';

type GrantContext = Pick<
  FlowContext,
  'profile' | 'server' | 'client' | 'fetch' | 'signal' | 'timeoutMs' | 'allowInsecureHttp' | 'now'
>;

/**
 * One token endpoint round trip: the oauth4webapi request, then its
 * matching `process…Response`, every failure mapped to an AuthError naming
 * the token endpoint.
 */
export async function tokenGrant(
  ctx: GrantContext,
  request: (options: ReturnType<typeof requestOptions>) => Promise<Response>,
  process: (response: Response) => Promise<oauth.TokenEndpointResponse>,
): Promise<TokenSet> {
  const url = String(ctx.server.token_endpoint);
  let tokens: TokenSet;
  try {
    const response = await request(requestOptions(ctx));
    tokens = toTokenSet(await process(issuerIsKnown(ctx.server) ? response : await withoutIdToken(response)), ctx.now?.());
  } catch (error) {
    throw toAuthError(error, flowFailureSite(ctx, url));
  }
  if (!isB64Token(tokens.access_token) || !isAuthScheme(tokens.token_type)) {
    // The value itself is never shown: it is a secret, and it may be crafted to forge output.
    throw new AuthError('PROTOCOL', `${url} issued an access token or token type with characters an Authorization header cannot carry (RFC 6750 §2.1); refusing it`, {
      url,
      hint: 'the IdP is misconfigured or not what the profile should point at; tell its administrator',
    });
  }
  return tokens;
}

/** The same response minus `id_token`, for servers whose issuer we cannot check it against. */
async function withoutIdToken(response: Response): Promise<Response> {
  if (response.status !== 200) return response;
  const body: unknown = await response.clone().json().catch(() => undefined);
  if (typeof body !== 'object' || body === null || !('id_token' in body)) return response;
  const { id_token: _dropped, ...rest } = body as Record<string, unknown>;
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  return new Response(JSON.stringify(rest), { status: 200, headers });
}
