import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { LoginApiError } from './login-api-error.js';

/** A login body holds an id, a secret or a token, and for aws-auth a signed request: far below this. */
export const LOGIN_BODY_LIMIT_BYTES = 48 * 1024;

/**
 * The fields of a login, renew or revoke request, sent as JSON (Infisical's
 * SDKs and CLI) or as a form (Infisical's Rust SDK posts
 * `application/x-www-form-urlencoded`). A form field given twice is refused
 * rather than guessed at.
 */
export async function readLoginBody(ctx: Context): Promise<Record<string, unknown>> {
  const json = ctx.is('application/json');
  const form = ctx.is('application/x-www-form-urlencoded');
  if (!json && !form) {
    throw new LoginApiError(415, 'Send the request body as application/json or application/x-www-form-urlencoded');
  }
  let text: string;
  try {
    text = await getRawBody(ctx.req, { limit: LOGIN_BODY_LIMIT_BYTES, length: ctx.request.length, encoding: 'utf8' });
  } catch (error) {
    if ((error as { type?: string }).type === 'entity.too.large') {
      throw new LoginApiError(413, `The request body is larger than ${LOGIN_BODY_LIMIT_BYTES} bytes`);
    }
    throw new LoginApiError(400, 'The request body could not be read');
  }
  return json ? parseJsonObject(text) : parseForm(text);
}

function parseJsonObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new LoginApiError(400, 'The request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LoginApiError(400, 'The request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

function parseForm(text: string): Record<string, unknown> {
  const params = new URLSearchParams(text);
  const fields: Record<string, unknown> = {};
  for (const name of new Set(params.keys())) {
    const values = params.getAll(name);
    if (values.length > 1) throw new LoginApiError(400, `The form field "${name}" is repeated`);
    fields[name] = values[0];
  }
  return fields;
}

/** A required string field, trimmed as Infisical's schemas do. */
export function requiredString(body: Readonly<Record<string, unknown>>, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new LoginApiError(400, `The field "${name}" is required and must be a non-empty string`);
  }
  return value.trim();
}
