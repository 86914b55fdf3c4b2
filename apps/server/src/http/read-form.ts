import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { HttpProblem } from './http-problem.js';

/** Our forms carry a few short fields; anything larger is refused with 413. */
export const FORM_LIMIT_BYTES = 16 * 1024;

export async function readForm(ctx: Context): Promise<URLSearchParams> {
  if (!ctx.is('application/x-www-form-urlencoded')) {
    throw new HttpProblem(415, 'Unsupported form', 'This form must be sent as application/x-www-form-urlencoded.', 'Go back and submit the form again.');
  }
  let body: string;
  try {
    body = await getRawBody(ctx.req, { limit: FORM_LIMIT_BYTES, length: ctx.request.length, encoding: 'utf8' });
  } catch (error) {
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') {
      throw new HttpProblem(413, 'Form too large', `The form sent more than ${FORM_LIMIT_BYTES} bytes.`, 'Go back and submit the form again.');
    }
    throw new HttpProblem(400, 'Malformed form', 'The form could not be read.', 'Go back and submit the form again.');
  }
  return new URLSearchParams(body);
}

/** The single value of a field; a missing or repeated field is a malformed form. */
export function field(form: URLSearchParams, name: string, { optional = false } = {}): string | undefined {
  const values = form.getAll(name);
  if (values.length === 1) return values[0];
  if (values.length === 0 && optional) return undefined;
  throw new HttpProblem(400, 'Malformed form', `The form field "${name}" is missing or repeated.`, 'Go back and submit the form again.');
}
