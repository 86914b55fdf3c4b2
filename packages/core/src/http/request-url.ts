/** The URL a fetch call goes to, without any `user:password@`, fit for an error message. */
export function requestUrl(input: Parameters<typeof fetch>[0]): string {
  const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  try {
    const parsed = new URL(href);
    parsed.username = '';
    parsed.password = '';
    return parsed.href;
  } catch {
    return href;
  }
}
