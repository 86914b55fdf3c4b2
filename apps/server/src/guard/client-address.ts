import { isIPv4, isIPv6 } from 'node:net';

/**
 * The key under which failures from one client address are counted. An
 * IPv4-mapped IPv6 address counts as its IPv4 address; other IPv6
 * addresses count per /64, the smallest block a single site is usually
 * given (RFC 6177), so that one site cannot rotate through its own
 * addresses to escape the limit.
 */
export function clientAddressKey(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (isIPv4(ip) || !isIPv6(ip)) return ip;
  return `${expandIPv6(ip).slice(0, 4).join(':')}::/64`;
}

/**
 * The eight 16-bit groups of an IPv6 address, zero-filled (`::` expanded,
 * zone id dropped). A trailing dotted IPv4 part fills two groups; only the
 * first four groups are used, so its value does not matter.
 */
function expandIPv6(ip: string): string[] {
  const [head = '', tail] = ip.replace(/%.*$/, '').toLowerCase().split('::');
  const groups = (part: string) => (part ? part.split(':').flatMap((group) => (group.includes('.') ? ['0', '0'] : [group])) : []);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const zeros = Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((group) => group.replace(/^0+(?=.)/, ''));
}
