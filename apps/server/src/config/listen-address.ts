/** `HOST:PORT`, with IPv6 hosts in brackets (`[::1]:8080`). */
export interface ListenAddress {
  host: string;
  port: number;
}

const LISTEN = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d{1,5})$/;

export function parseListenAddress(value: string): ListenAddress | undefined {
  const match = LISTEN.exec(value.trim());
  if (!match) return undefined;
  const port = Number(match[2]);
  if (port > 65535) return undefined;
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

export function formatHostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}
