/**
 * A person at a browser without the browser: a cookie jar, redirects
 * followed by hand, and the forms of auth-server's pages filled in. For
 * tests that need many sign-ins or malformed requests; the real browser
 * tests use chromium.
 */

export class CookieJar {
  readonly #cookies = new Map<string, string>();
  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      if (!value || /expires=Thu, 01 Jan 1970/i.test(line)) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

export interface Page {
  url: string;
  status: number;
  html: string;
  headers: Headers;
}

export class HttpUser {
  readonly jar = new CookieJar();

  /** `fetchImpl`: e.g. `fetchFrom('127.0.0.2')` to be another client address. */
  constructor(private readonly fetchImpl: typeof fetch = fetch) {}

  async request(url: string, init: { method?: string; form?: Record<string, string>; body?: string; headers?: Record<string, string> } = {}): Promise<Response> {
    const res = await this.fetchImpl(url, {
      method: init.method ?? (init.form || init.body !== undefined ? 'POST' : 'GET'),
      redirect: 'manual',
      headers: {
        cookie: this.jar.header(),
        accept: 'text/html',
        ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...init.headers,
      },
      body: init.form ? new URLSearchParams(init.form) : init.body,
    });
    this.jar.store(res);
    return res;
  }

  /** Follows redirects until a page, or until `stop(url)` says the next URL is not ours to fetch. */
  async follow(url: string, init: Parameters<HttpUser['request']>[1] = {}, stop?: (url: string) => boolean): Promise<Page> {
    let next = url;
    let options = init;
    for (let hops = 0; hops < 20; hops++) {
      if (stop?.(next)) return { url: next, status: 0, html: '', headers: new Headers() };
      const res = await this.request(next, options);
      if (res.status >= 300 && res.status < 400) {
        next = new URL(res.headers.get('location')!, next).href;
        options = {};
        continue;
      }
      return { url: next, status: res.status, html: await res.text(), headers: res.headers };
    }
    throw new Error('too many redirects');
  }
}

export function formOf(page: Page, index = 0): { action: string; fields: Record<string, string> } {
  const forms = [...page.html.matchAll(/<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)];
  const form = forms[index];
  if (!form) throw new Error(`no form on ${page.url}: ${page.html.slice(0, 300)}`);
  const fields = Object.fromEntries(
    [...form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, decodeEntities(m[2]!)]),
  );
  return { action: new URL(decodeEntities(form[1]!), page.url).href, fields };
}

function decodeEntities(value: string): string {
  return value.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Signs in and consents on auth-server's pages; returns the redirect URI the browser would be sent to. */
export async function signInOverHttp(authorizationUrl: string, redirectPrefix: string, username: string, password: string): Promise<URL> {
  const user = new HttpUser();
  const stop = (url: string) => url.startsWith(redirectPrefix);
  let page = await user.follow(authorizationUrl, {}, stop);
  for (let step = 0; step < 5 && page.status !== 0; step++) {
    const { action, fields } = formOf(page);
    const form = page.html.includes('name="password"') ? { ...fields, username, password } : fields;
    page = await user.follow(action, { form }, stop);
  }
  if (page.status !== 0) throw new Error(`sign-in did not reach ${redirectPrefix}: ${page.status} ${page.url}`);
  return new URL(page.url);
}

/** Approves an RFC 8628 device login at `verificationUriComplete` on auth-server's pages: confirm the code, sign in, consent. */
export async function approveDeviceOverHttp(verificationUriComplete: string, username: string, password: string): Promise<Page> {
  const user = new HttpUser();
  let page = await user.follow(verificationUriComplete);
  for (let step = 0; step < 6 && page.html.includes('<form'); step++) {
    const { action, fields } = formOf(page);
    const answers: Record<string, string> = page.html.includes('name="password"') ? { username, password } : page.html.includes('name="confirm"') ? { confirm: 'yes' } : {};
    page = await user.follow(action, { form: { ...fields, ...answers } });
  }
  return page;
}
