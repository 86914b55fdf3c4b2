import { readFile, stat } from 'node:fs/promises';
import { AuthError } from '@auth/core/provider';
import { z } from 'zod';

/** A JSON key file is about 2.4 KiB; a larger file is not one. */
const MAX_KEY_FILE_BYTES = 64 * 1024;

/** The fields of a JSON service account key ("Create and delete service account keys", https://cloud.google.com/iam/docs/keys-create-delete) used here. */
const keyFile = z.object({
  type: z.literal('service_account', { error: 'type must be "service_account"' }),
  client_email: z.string().min(1, { error: 'client_email is empty' }),
  private_key_id: z.string().min(1, { error: 'private_key_id is empty' }),
  private_key: z.string().includes('PRIVATE KEY', { error: 'private_key is not a PEM private key' }),
});

export type ServiceAccountKey = z.infer<typeof keyFile>;

/** Reads a service account key file; errors name the file and the field, never a value from it. */
export async function readServiceAccountKey(path: string): Promise<ServiceAccountKey> {
  const invalid = (what: string, cause?: unknown) =>
    new AuthError('CONFIG_INVALID', `Service account key file ${path}: ${what}`, {
      file: path,
      hint: 'point --service-account-key-file-path (or INFISICAL_GCP_IAM_SERVICE_ACCOUNT_KEY_FILE_PATH) at the JSON key downloaded from the Google Cloud console',
      ...(cause === undefined ? {} : { cause }),
    });
  let text: string;
  try {
    if ((await stat(path)).size > MAX_KEY_FILE_BYTES) throw invalid(`larger than ${MAX_KEY_FILE_BYTES / 1024} KiB: not a key file`);
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (AuthError.is(error)) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw invalid(code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'not readable by this user' : `cannot be read (${code ?? 'error'})`, error);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // The parser's message would quote the file, which holds a private key.
    throw invalid('not JSON');
  }
  const parsed = keyFile.safeParse(json);
  if (!parsed.success) throw invalid(parsed.error.issues.map((issue) => issue.message).join('; '));
  return parsed.data;
}
