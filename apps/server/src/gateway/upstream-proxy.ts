import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { endToEndHeaders } from './hop-by-hop.js';

export interface UpstreamOptions {
  /** The upstream's base URL; its path is put in front of every forwarded path. */
  url: URL;
  /** PEM CA certificates for an https:// upstream. */
  ca?: string;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  idleTimeoutMs: number;
  maxBodyBytes?: number;
}

/** How a forwarded request ended; `status` is what the client got (0 when it went away first). */
export interface Forwarded {
  status: number;
  /** Seconds until the upstream's response headers, when it answered. */
  upstreamSeconds?: number;
  /** Why the gateway answered itself (502, 504, 413) or the upstream broke off; never a secret. */
  failure?: string;
  /** The client closed its connection before the response was complete (the upstream request is aborted). */
  clientGone?: true;
}

/**
 * Streams a request to the upstream and its response back, over kept-alive
 * connections (node:http Agent: the bench compares it with direct requests).
 * Neither body is buffered: each flows with backpressure as it arrives.
 */
export class Upstream {
  private readonly agent: HttpAgent;
  private readonly basePath: string;
  private readonly send: typeof httpRequest;

  constructor(private readonly options: UpstreamOptions) {
    const https = options.url.protocol === 'https:';
    const agentOptions = { keepAlive: true, maxSockets: 256, maxFreeSockets: 64, timeout: options.idleTimeoutMs, scheduling: 'lifo' as const };
    this.agent = https ? new HttpsAgent({ ...agentOptions, ...(options.ca ? { ca: options.ca } : {}) }) : new HttpAgent(agentOptions);
    this.send = https ? httpsRequest : httpRequest;
    this.basePath = options.url.pathname.replace(/\/$/, '');
  }

  forward(client: IncomingMessage, response: ServerResponse, target: string, headers: OutgoingHttpHeaders): Promise<Forwarded> {
    const { url, connectTimeoutMs, responseTimeoutMs, idleTimeoutMs, maxBodyBytes } = this.options;
    const started = performance.now();
    return new Promise((resolve) => {
      let settled = false;
      let upstreamSeconds: number | undefined;
      const timers: NodeJS.Timeout[] = [];
      const settle = (outcome: Forwarded) => {
        if (settled) return;
        settled = true;
        timers.forEach(clearTimeout);
        resolve(upstreamSeconds === undefined ? outcome : { ...outcome, upstreamSeconds });
      };
      const outgoing = this.send({
        agent: this.agent,
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || undefined,
        method: client.method,
        path: `${this.basePath}${target}`,
        headers,
      });
      /** The gateway answers itself when it still can; otherwise the client's connection is cut, as the upstream's was. */
      const fail = (status: number, failure: string) => {
        if (settled) return;
        outgoing.destroy();
        if (!response.headersSent) {
          const body = JSON.stringify({ error: failure });
          response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close' });
          response.end(body);
        } else {
          response.destroy();
        }
        settle({ status: response.headersSent ? response.statusCode : status, failure });
      };

      timers.push(setTimeout(() => fail(504, 'upstream did not answer in time'), responseTimeoutMs));
      outgoing.on('socket', (socket) => {
        if (!socket.connecting) return;
        const connecting = setTimeout(() => fail(504, 'upstream connection timed out'), connectTimeoutMs);
        timers.push(connecting);
        socket.once('connect', () => clearTimeout(connecting));
      });
      outgoing.setTimeout(idleTimeoutMs, () => fail(504, 'upstream connection idle too long'));
      outgoing.on('error', (error: NodeJS.ErrnoException) => fail(502, `upstream request failed (${error.code ?? error.message})`));

      outgoing.on('response', (upstream) => {
        upstreamSeconds = (performance.now() - started) / 1000;
        timers.forEach(clearTimeout);
        response.writeHead(upstream.statusCode ?? 502, endToEndHeaders(upstream.headers));
        upstream.on('error', () => fail(502, 'upstream response broke off'));
        upstream.on('close', () => {
          if (!upstream.complete) fail(502, 'upstream response broke off');
        });
        upstream.pipe(response);
        response.on('finish', () => settle({ status: response.statusCode }));
      });

      // The client going away (or its idle timeout) cancels the upstream request.
      response.on('close', () => {
        if (response.writableFinished) return;
        outgoing.destroy();
        settle({ status: response.headersSent ? response.statusCode : 0, clientGone: true });
      });
      client.on('error', () => outgoing.destroy());

      if (maxBodyBytes !== undefined) {
        let received = 0;
        client.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received <= maxBodyBytes) return;
          client.unpipe(outgoing);
          fail(413, `request body larger than ${maxBodyBytes} bytes`);
        });
      }
      client.pipe(outgoing);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
