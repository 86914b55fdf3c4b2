import type Provider from 'oidc-provider';
import { errors } from 'oidc-provider';
import { findAccount } from './accounts.js';

type GrantHandler = Parameters<Provider['registerGrantType']>[1];

export const PASSWORD_GRANT = 'password';
export const PASSWORD_GRANT_PARAMETERS = ['username', 'password', 'scope'] as const;

/**
 * RFC 6749 §4.3, which oidc-provider leaves out. Tokens are made with
 * oidc-provider's own models under a new grant, so the refresh_token grant,
 * rotation, revocation and introspection treat them like any other.
 */
export function passwordGrant(provider: Provider, users: ReadonlyMap<string, string>, supportedScopes: ReadonlySet<string>): GrantHandler {
  return async (ctx) => {
    const client = ctx.oidc.client!;
    const params = ctx.oidc.params!;
    const username = typeof params['username'] === 'string' ? params['username'] : '';
    const password = params['password'];
    if (!username || typeof password !== 'string') {
      throw new errors.InvalidRequest('username and password are required');
    }
    const account = users.get(username) === password ? findAccount(users, username) : undefined;
    if (!account) throw new errors.InvalidGrant('invalid username or password');

    const requested = (typeof params['scope'] === 'string' ? params['scope'] : 'openid').split(' ').filter(Boolean);
    const unsupported = requested.filter((scope) => !supportedScopes.has(scope));
    if (unsupported.length) throw new errors.InvalidScope('requested scope is not supported', unsupported.join(' '));
    const scope = requested.join(' ');

    const grant = new provider.Grant({ accountId: username, clientId: client.clientId });
    grant.addOIDCScope(scope);
    const grantId = await grant.save();
    const authTime = Math.floor(Date.now() / 1000);
    const base = { client, accountId: username, grantId, gty: PASSWORD_GRANT, scope };

    const at = new provider.AccessToken(base);
    ctx.oidc.entity('AccessToken', at);
    const accessToken = await at.save();
    const refreshToken = await new provider.RefreshToken({ ...base, authTime, rotations: 0 }).save();

    let idToken: string | undefined;
    if (requested.includes('openid')) {
      const claims = await account.claims('id_token', scope, {}, []);
      // The scope masks which claims go in (oidc-provider reads it as a property).
      const token = Object.assign(new provider.IdToken({ ...claims, auth_time: authTime }, { ctx }), { scope });
      idToken = await token.issue({ use: 'idtoken' });
    }

    ctx.body = {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: at.expiration,
      refresh_token: refreshToken,
      ...(idToken ? { id_token: idToken } : {}),
      scope,
    };
  };
}
