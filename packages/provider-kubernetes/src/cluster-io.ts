import { boundedFetch, type VerifyRequest } from '@auth/core/provider';
import { Agent, fetch as undiciFetch } from 'undici';

/** Infisical's bound for TokenReview answers; discovery documents and key sets are as small. */
const MAX_ANSWER_BYTES = 64 * 1024;

type Io = VerifyRequest['io'];

/**
 * The request's I/O, or, for a cluster with its own CA, the same bounds over
 * a connection that trusts `ca_cert` (the injected fetch trusts the
 * process's roots only). One agent per CA, reused across logins.
 */
export function clusterIo(io: Io, caCert: string | undefined, agents: Map<string, Agent>): Io {
  if (caCert === undefined) return io;
  let agent = agents.get(caCert);
  if (agent === undefined) {
    agent = new Agent({ connect: { ca: caCert } });
    agents.set(caCert, agent);
  }
  const dispatcher = agent;
  // The web `fetch` types and undici's own differ in detail only; the objects are the same at runtime.
  const viaCa = ((input: string | URL, init?: RequestInit) => undiciFetch(input, { ...(init as object), dispatcher })) as unknown as typeof fetch;
  return { ...io, fetch: boundedFetch(viaCa, { timeoutMs: io.timeoutMs, maxBytes: MAX_ANSWER_BYTES }) };
}
