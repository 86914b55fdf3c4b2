import { requestUrl } from '@auth/core';

/**
 * The requests this process has sent and not yet seen settle, so a command
 * that ends with nothing left to wait for can say which server never
 * answered (see drained-loop.ts). One process runs one command: the list is
 * the process's own.
 */
const pending = new Set<{ url: string }>();

/** `fetchImpl`, with each request listed while it is pending. */
export function trackRequests(fetchImpl: typeof fetch): typeof fetch {
  return async (input, init) => {
    const entry = { url: requestUrl(input) };
    pending.add(entry);
    try {
      return await fetchImpl(input, init);
    } finally {
      pending.delete(entry);
    }
  };
}

/** The URLs of the requests still pending, oldest first. */
export function pendingRequests(): string[] {
  return [...pending].map((entry) => entry.url);
}
