import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import { errors } from 'oidc-provider';
import type { KoaMiddleware } from './koa-middleware.js';
import { consentPage, errorPage, loginPage } from './pages.js';
import { readForm } from './request-body.js';

/** Where oidc-provider sends the user agent for a login or consent prompt. */
export function interactionPath(uid: string): string {
  return `/interaction/${uid}`;
}

const ROUTE = /^\/interaction\/([\w-]+)(?:\/(login|confirm|deny))?$/;

/**
 * The sign-in and consent pages. oidc-provider's devInteractions accept any
 * password; these check the IdP's users table, so a wrong password is refused
 * the way a real IdP refuses it.
 */
export function interactionRoutes(provider: Provider, users: ReadonlyMap<string, string>): KoaMiddleware {
  return async (ctx, next) => {
    const match = ROUTE.exec(ctx.path);
    if (!match) return next();
    const uid = match[1]!;
    const action = match[2];
    ctx.set('cache-control', 'no-store');
    try {
      const interaction = await provider.interactionDetails(ctx.req, ctx.res);
      if (interaction.uid !== uid) throw new errors.InvalidRequest('interaction does not match this browser session');
      const clientId = String(interaction.params['client_id']);
      const { name, details } = interaction.prompt;

      const finish = async (result: InteractionResults, mergeWithLastSubmission: boolean): Promise<void> => {
        const to = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission });
        ctx.status = 303;
        ctx.redirect(to);
      };

      if (ctx.method === 'GET' && action === undefined) {
        ctx.type = 'html';
        ctx.body =
          name === 'login'
            ? loginPage({ action: `${interactionPath(uid)}/login`, clientId })
            : consentPage({
                confirmAction: `${interactionPath(uid)}/confirm`,
                denyAction: `${interactionPath(uid)}/deny`,
                clientId,
                accountId: interaction.session?.accountId ?? '',
                scopes: String(interaction.params['scope'] ?? '').split(' ').filter(Boolean),
              });
        return;
      }
      if (ctx.method !== 'POST' || action === undefined) {
        throw new errors.InvalidRequest(`${ctx.method} ${ctx.path} is not supported`);
      }

      if (action === 'deny') {
        await finish({ error: 'access_denied', error_description: 'End-User denied the request' }, false);
        return;
      }
      if (action === 'login' && name === 'login') {
        const form = await readForm(ctx.req);
        const login = form.get('login') ?? '';
        if (!users.has(login) || users.get(login) !== form.get('password')) {
          ctx.status = 401;
          ctx.type = 'html';
          ctx.body = loginPage({
            action: `${interactionPath(uid)}/login`,
            clientId,
            login,
            error: 'Invalid username or password.',
          });
          return;
        }
        await finish({ login: { accountId: login } }, false);
        return;
      }
      if (action === 'confirm' && name === 'consent') {
        const grant = interaction.grantId
          ? await provider.Grant.find(interaction.grantId)
          : new provider.Grant({ accountId: interaction.session?.accountId, clientId });
        if (!grant) throw new errors.InvalidRequest('the grant being extended no longer exists');
        const missingScope = details['missingOIDCScope'] as string[] | undefined;
        const missingClaims = details['missingOIDCClaims'] as string[] | undefined;
        const missingResourceScopes = details['missingResourceScopes'] as Record<string, string[]> | undefined;
        if (missingScope) grant.addOIDCScope(missingScope.join(' '));
        if (missingClaims) grant.addOIDCClaims(missingClaims);
        for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) {
          grant.addResourceScope(indicator, scopes.join(' '));
        }
        await finish({ consent: { grantId: await grant.save() } }, true);
        return;
      }
      throw new errors.InvalidRequest(`this sign-in step expects the ${name} prompt`);
    } catch (err) {
      if (!(err instanceof errors.OIDCProviderError)) throw err;
      ctx.status = err.statusCode;
      ctx.type = 'html';
      ctx.body = errorPage(err.error, err.error_description);
    }
  };
}
