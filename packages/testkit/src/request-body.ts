import type { IncomingMessage } from 'node:http';

// Forms and token requests are tiny; anything larger is a broken client.
const LIMIT = 64 * 1024;

/** Reads an `application/x-www-form-urlencoded` request body. */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new URLSearchParams(await readText(req));
}

/** Reads a request body as UTF-8 text (a form, or the JSON of an admin API call). */
export async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > LIMIT) throw new RangeError(`request body larger than ${LIMIT} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
