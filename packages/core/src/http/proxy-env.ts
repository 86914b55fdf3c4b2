import { AuthError } from '../errors.js';

/** The proxies the environment names, per scheme of the target URL. */
export interface ProxyEnv {
  /** For `http://` URLs: `http_proxy`, else `HTTP_PROXY` (credentials included). */
  http?: string;
  /** For `https://` URLs: `https_proxy`, else `HTTPS_PROXY`. */
  https?: string;
  /** `no_proxy`, else `NO_PROXY`: hosts reached directly. */
  noProxy: string;
}

/**
 * Reads the proxy variables the way curl does: the lowercase name wins over
 * the uppercase one, an empty value is unset, a proxy without a scheme is
 * `http://`, and each scheme has its own variable (an `https://` URL never
 * falls back to HTTP_PROXY, unlike undici's EnvHttpProxyAgent). Undefined
 * when no proxy is set, so no proxy machinery is loaded at all.
 */
export function proxyEnv(env: NodeJS.ProcessEnv): ProxyEnv | undefined {
  const http = proxyUrl(env, 'http_proxy');
  const https = proxyUrl(env, 'https_proxy');
  if (http === undefined && https === undefined) return undefined;
  return {
    ...(http === undefined ? {} : { http }),
    ...(https === undefined ? {} : { https }),
    noProxy: env.no_proxy || env.NO_PROXY || '',
  };
}

function proxyUrl(env: NodeJS.ProcessEnv, lower: string): string | undefined {
  const upper = lower.toUpperCase();
  const variable = env[lower] ? lower : env[upper] ? upper : undefined;
  if (variable === undefined) return undefined;
  const value = env[variable]!.trim();
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch (cause) {
    throw proxyError(variable, 'is not a URL', cause);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw proxyError(variable, `uses ${url.protocol}//, but only http:// and https:// proxies are supported`);
  }
  return url.href;
}

/** The value is never echoed back: a proxy URL may carry a password. */
function proxyError(variable: string, problem: string, cause?: unknown): AuthError {
  return new AuthError('CONFIG_INVALID', `The proxy in ${variable} ${problem}`, {
    key: variable,
    hint: `set ${variable} to a proxy URL like http://proxy.example.com:3128, or unset it`,
    ...(cause === undefined ? {} : { cause }),
  });
}
