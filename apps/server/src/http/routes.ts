import Router from '@koa/router';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { Lockout } from '../guard/lockout.js';
import type { Accounts } from '../issuer/accounts.js';
import { authorizationCodePage } from '../pages/code-page.js';
import { messagePage } from '../pages/message-page.js';
import { HttpProblem } from './http-problem.js';
import { addInteractionRoutes } from './interaction-routes.js';
import { nonceOf } from './security-headers.js';

/** A load balancer's liveness probe. */
export const HEALTH_PATH = '/healthz';

/** Where `authctl login --flow code` sends the browser: a page that shows the code. */
export const CODE_PAGE_PATH = '/oauth/code';

export interface RouteOptions {
  provider: Provider;
  accounts: Accounts;
  lockout: Lockout;
  csrfKey: string;
  logger: Logger;
}

/** The routes around oidc-provider's own: health, the paste-the-code page, sign-in and consent. */
export function createRoutes(options: RouteOptions): Router {
  const router = new Router();
  const { provider } = options;

  router.get(HEALTH_PATH, (ctx) => {
    ctx.body = { status: 'ok', issuer: provider.issuer };
  });

  router.get(CODE_PAGE_PATH, (ctx) => {
    const one = (name: string) => (typeof ctx.query[name] === 'string' ? (ctx.query[name] as string) : undefined);
    const error = one('error');
    if (error) {
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = messagePage({
        nonce: nonceOf(ctx),
        title: 'Sign-in did not complete',
        message: one('error_description') ?? 'The sign-in was not completed.',
        next: 'Return to the terminal and start the sign-in again.',
        details: [['error', error]],
      });
      return;
    }
    const code = one('code');
    if (!code) {
      throw new HttpProblem(400, 'No authorization code', 'This address carries no authorization code.', 'Open the sign-in link the terminal printed and sign in.');
    }
    ctx.type = 'html';
    ctx.body = authorizationCodePage({ nonce: nonceOf(ctx), code, state: one('state') });
  });

  router.get('/', (ctx) => {
    ctx.type = 'html';
    ctx.body = messagePage({
      nonce: nonceOf(ctx),
      title: 'OpenID issuer',
      message: `This is the OpenID issuer ${provider.issuer}.`,
      next: 'Applications discover it at /.well-known/openid-configuration; people sign in through the applications.',
    });
  });

  addInteractionRoutes(router, options);
  return router;
}
