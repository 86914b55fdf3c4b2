import type Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import { accountSubject, type Lockout } from '../guard/lockout.js';
import type { Accounts } from '../issuer/accounts.js';
import { consentPage } from '../pages/consent-page.js';
import { signInPage } from '../pages/sign-in-page.js';
import { csrfToken, isValidCsrfToken } from './csrf.js';
import { HttpProblem } from './http-problem.js';
import { field, readForm } from './read-form.js';
import { nonceOf } from './security-headers.js';

/**
 * The sign-in and consent steps oidc-provider hands over to us
 * (`/interaction/:uid`), for the browser, code and device flows alike.
 */

export interface InteractionRouteOptions {
  provider: Provider;
  accounts: Accounts;
  lockout: Lockout;
  csrfKey: string;
  logger: Logger;
}

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

const WRONG_PROMPT = new HttpProblem(400, 'Sign-in step out of order', 'This step of the sign-in is not the one in progress.', 'Go back and reload the page.');

export function addInteractionRoutes(router: Router, { provider, accounts, lockout, csrfKey, logger }: InteractionRouteOptions): void {
  const actions = (uid: string) => ({
    login: `/interaction/${uid}/login`,
    confirm: `/interaction/${uid}/confirm`,
    abort: `/interaction/${uid}/abort`,
  });

  async function load(ctx: Context): Promise<Details> {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (details.uid !== ctx.params.uid) {
      throw new HttpProblem(400, 'Sign-in expired', 'This page belongs to another sign-in.', 'Start the sign-in again from the application.');
    }
    return details;
  }

  /** Reads the form, then refuses it unless it carries this interaction's CSRF token. */
  async function loadPost(ctx: Context): Promise<{ details: Details; form: URLSearchParams }> {
    const form = await readForm(ctx);
    const details = await load(ctx);
    if (!isValidCsrfToken(csrfKey, details.uid, form.get('csrf'))) {
      logger.warn({ event: 'csrf.rejected', interaction: details.uid }, 'form without a valid CSRF token');
      throw new HttpProblem(403, 'Form expired', 'This form did not come from this sign-in page, or it has expired.', 'Go back, reload the page and try again.');
    }
    return { details, form };
  }

  async function clientName(details: Details): Promise<string> {
    const client = await provider.Client.find(String(details.params.client_id));
    return client?.clientName ?? client?.clientId ?? 'an application';
  }

  /** What every interaction form carries: where it posts, where Cancel/Deny posts, its CSRF token. */
  function formBasics(ctx: Context, details: Details, action: 'login' | 'confirm') {
    const urls = actions(details.uid);
    return { nonce: nonceOf(ctx), action: urls[action], abortAction: urls.abort, csrf: csrfToken(csrfKey, details.uid) };
  }

  function renderSignIn(ctx: Context, details: Details, name: string, error?: { username: string; message: string }) {
    ctx.type = 'html';
    ctx.body = signInPage({
      ...formBasics(ctx, details, 'login'),
      clientName: name,
      username: error?.username,
      error: error?.message,
    });
  }

  router.get('/interaction/:uid', async (ctx) => {
    const details = await load(ctx);
    const name = await clientName(details);
    if (details.prompt.name === 'login') return renderSignIn(ctx, details, name);
    if (details.prompt.name !== 'consent') throw WRONG_PROMPT;
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingResourceScopes?: Record<string, string[]> };
    const resourceScopes = Object.values(missing.missingResourceScopes ?? {}).flat();
    ctx.type = 'html';
    ctx.body = consentPage({
      ...formBasics(ctx, details, 'confirm'),
      clientName: name,
      username: details.session?.accountId ?? '',
      scopes: [...new Set([...(missing.missingOIDCScope ?? []), ...resourceScopes])],
      resources: Object.keys(missing.missingResourceScopes ?? {}),
    });
  });

  router.post('/interaction/:uid/login', async (ctx) => {
    const { details, form } = await loadPost(ctx);
    if (details.prompt.name !== 'login') throw WRONG_PROMPT;
    const username = field(form, 'username') ?? '';
    const subject = accountSubject(username);
    const admission = await lockout.admit(subject, ctx.ip);
    let accountId: string | undefined;
    if (admission === 'admitted') {
      try {
        accountId = await accounts.authenticate(username, field(form, 'password') ?? '');
      } catch (error) {
        await lockout.abandoned(subject, ctx.ip);
        throw error;
      }
      if (!accountId) await lockout.failed(subject, ctx.ip);
    }
    if (!accountId) {
      // The username is not logged: people type passwords into it. A locked account or address gets the
      // same page as a wrong password, so the answer tells a guesser nothing about which it was.
      if (admission === 'admitted') logger.info({ event: 'login.failed', interaction: details.uid }, 'wrong username or password');
      else logger.warn({ event: 'login.locked', interaction: details.uid, locked: admission }, 'password not checked: too many failures');
      return renderSignIn(ctx, details, await clientName(details), { username, message: 'Incorrect username or password.' });
    }
    await lockout.succeeded(subject, ctx.ip);
    logger.info({ event: 'login.succeeded', interaction: details.uid, account: accountId }, 'signed in');
    await finish(ctx, { login: { accountId, amr: ['pwd'] } }, false);
  });

  router.post('/interaction/:uid/confirm', async (ctx) => {
    const { details } = await loadPost(ctx);
    if (details.prompt.name !== 'consent' || !details.session) throw WRONG_PROMPT;
    const missing = details.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: String(details.params.client_id) });
    if (!grant) throw new HttpProblem(400, 'Sign-in expired', 'The earlier consent for this application has expired.', 'Start the sign-in again from the application.');
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    await finish(ctx, { consent: details.grantId ? {} : { grantId } }, true);
  });

  router.post('/interaction/:uid/abort', async (ctx) => {
    await loadPost(ctx);
    await finish(ctx, { error: 'access_denied', error_description: 'The user denied the request' }, false);
  });

  async function finish(ctx: Context, result: Record<string, unknown>, mergeWithLastSubmission: boolean) {
    const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission });
    ctx.status = 303;
    ctx.redirect(returnTo);
  }
}
