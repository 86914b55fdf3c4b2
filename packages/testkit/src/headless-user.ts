import { type HTMLElement, parse } from 'node-html-parser';
import { CookieJar } from 'tough-cookie';

/** A person using a browser, over plain HTTP: a cookie jar, redirects followed by hand, form posts. */
export interface HeadlessUser {
  approveDevice(verificationUri: string, userCode: string, opts?: Credentials): Promise<void>;
  /** Signs in, then denies at the consent page: the polling client gets `access_denied`. */
  denyDevice(verificationUri: string, userCode: string, opts?: Credentials): Promise<void>;
  /**
   * Follows the authorization URL, signs in, consents, and stops at the first redirect to a URL starting
   * with `redirectPrefix`; returns that URL (with `?code=&state=`) without fetching it.
   */
  authorize(authorizationUrl: string, redirectPrefix: string, opts?: Credentials): Promise<string>;
}

interface Credentials {
  username?: string;
  password?: string;
}

const REQUEST_TIMEOUT_MS = 10_000;
const MAX_STEPS = 20;

type Page =
  | { kind: 'redirect'; url: string }
  | { kind: 'html'; url: string; status: number; root: HTMLElement };

/** One browsing session: its own cookies, like a fresh browser profile. */
class Session {
  readonly #jar = new CookieJar();

  async request(url: string, form?: URLSearchParams): Promise<{ url: string; status: number; location?: string; html: string }> {
    const res = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: await this.#jar.getCookieString(url),
        accept: 'text/html',
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: form } : {}),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    for (const cookie of res.headers.getSetCookie()) await this.#jar.setCookie(cookie, url, { ignoreError: true });
    const location = res.headers.get('location');
    const html = await res.text();
    return { url, status: res.status, html, ...(location ? { location: new URL(location, url).href } : {}) };
  }

  /** GET (or POST a form) and follow redirects until a page, or a redirect that `stopAt` matches. */
  async open(url: string, stopAt: string | undefined, form?: URLSearchParams): Promise<Page> {
    let next: { url: string; form?: URLSearchParams } = form ? { url, form } : { url };
    for (let hop = 0; hop < MAX_STEPS; hop += 1) {
      const res = await this.request(next.url, next.form);
      if (res.status >= 300 && res.status < 400 && res.location) {
        if (stopAt !== undefined && res.location.startsWith(stopAt)) return { kind: 'redirect', url: res.location };
        next = { url: res.location };
        continue;
      }
      return { kind: 'html', url: res.url, status: res.status, root: parse(res.html) };
    }
    throw new Error(`HeadlessUser: more than ${MAX_STEPS} redirects from ${url}`);
  }

  /** Submits the form that `selector` finds, with its inputs' values overridden by `fields`. */
  submit(page: Extract<Page, { kind: 'html' }>, selector: string, stopAt: string | undefined, fields: Record<string, string> = {}): Promise<Page> {
    const form = page.root.querySelector(selector);
    if (!form) throw new Error(`HeadlessUser: no ${selector} on ${page.url}`);
    const body = new URLSearchParams();
    for (const input of form.querySelectorAll('input')) {
      const name = input.getAttribute('name');
      if (name && !(name in fields)) body.set(name, input.getAttribute('value') ?? '');
    }
    for (const [name, value] of Object.entries(fields)) body.set(name, value);
    return this.open(new URL(form.getAttribute('action') ?? page.url, page.url).href, stopAt, body);
  }
}

function describe(page: Page): string {
  if (page.kind === 'redirect') return `a redirect to ${page.url}`;
  const title = page.root.querySelector('title')?.text.trim() ?? 'untitled';
  const alert = page.root.querySelector('[role=alert]')?.text.trim();
  const detail = page.root.querySelector('#error-description')?.text.trim();
  return `"${title}" (HTTP ${page.status}) at ${page.url}${alert ? `: ${alert}` : ''}${detail ? ` ${detail}` : ''}`;
}

function has(page: Page, selector: string): page is Extract<Page, { kind: 'html' }> {
  return page.kind === 'html' && page.root.querySelector(selector) !== null;
}

/**
 * Answers the sign-in and consent pages until none is left. A second login
 * form means the password was refused.
 */
async function signInAndDecide(
  session: Session,
  start: Page,
  decision: 'approve' | 'deny',
  credentials: Required<Credentials>,
  stopAt?: string,
): Promise<Page> {
  let page = start;
  let signedIn = false;
  for (let step = 0; step < MAX_STEPS; step += 1) {
    if (has(page, 'form[id="login"]')) {
      if (signedIn) throw new Error(`HeadlessUser: sign-in as ${credentials.username} refused: ${describe(page)}`);
      signedIn = true;
      page = await session.submit(page, 'form[id="login"]', stopAt, { login: credentials.username, password: credentials.password });
    } else if (has(page, 'form[id="consent"]')) {
      page = await session.submit(page, decision === 'approve' ? 'form[id="consent"]' : 'form[id="deny"]', stopAt);
    } else if (has(page, 'form[id="op.deviceConfirmForm"]')) {
      page = await session.submit(page, 'form[id="op.deviceConfirmForm"]', stopAt);
    } else {
      return page;
    }
  }
  throw new Error(`HeadlessUser: sign-in did not finish after ${MAX_STEPS} pages`);
}

async function enterUserCode(session: Session, verificationUri: string, userCode: string): Promise<Page> {
  const page = await session.open(verificationUri, undefined);
  // verification_uri_complete answers with a self-submitting form that carries the code.
  const selector = has(page, 'form:not([id]) input[name="user_code"]') ? 'form:not([id])' : 'form[id="op.deviceInputForm"]';
  if (!has(page, selector)) {
    throw new Error(`HeadlessUser: expected the device code page at ${verificationUri}, got ${describe(page)}`);
  }
  const next = await session.submit(page, selector, undefined, { user_code: userCode });
  if (has(next, 'form[id="op.deviceInputForm"]')) {
    throw new Error(`HeadlessUser: user code ${userCode} not accepted: ${describe(next)}`);
  }
  return next;
}

export function createHeadlessUser(defaults: Required<Credentials>): HeadlessUser {
  const credentials = (opts: Credentials = {}): Required<Credentials> => ({
    username: opts.username ?? defaults.username,
    password: opts.password ?? defaults.password,
  });
  return {
    async approveDevice(verificationUri, userCode, opts) {
      const session = new Session();
      const page = await signInAndDecide(session, await enterUserCode(session, verificationUri, userCode), 'approve', credentials(opts));
      if (!(page.kind === 'html' && page.root.querySelector('title')?.text === 'Sign-in Success')) {
        throw new Error(`HeadlessUser: device approval did not succeed: ${describe(page)}`);
      }
    },
    async denyDevice(verificationUri, userCode, opts) {
      const session = new Session();
      const page = await signInAndDecide(session, await enterUserCode(session, verificationUri, userCode), 'deny', credentials(opts));
      if (!has(page, '[data-error="aborted"]')) {
        throw new Error(`HeadlessUser: device denial was not acknowledged: ${describe(page)}`);
      }
    },
    async authorize(authorizationUrl, redirectPrefix, opts) {
      const session = new Session();
      const start = await session.open(authorizationUrl, redirectPrefix);
      const page = await signInAndDecide(session, start, 'approve', credentials(opts), redirectPrefix);
      if (page.kind !== 'redirect') {
        throw new Error(`HeadlessUser: authorization did not redirect to ${redirectPrefix}: ${describe(page)}`);
      }
      return page.url;
    },
  };
}
