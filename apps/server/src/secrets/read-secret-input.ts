import password from '@inquirer/password';
import { AuthError } from '@auth/core';

/**
 * A secret for `auth-server hash-password`: a hidden, confirmed prompt on a
 * terminal; otherwise all of stdin, less one trailing newline.
 */
export async function readSecretInput(input: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (input.isTTY) {
    const first = await password({ message: 'Password or secret (input hidden):', mask: false });
    const again = await password({ message: 'Re-enter to confirm (input hidden):', mask: false });
    if (first !== again) throw new AuthError('USAGE', 'the two entries differ', { hint: 'run `auth-server hash-password` again' });
    return nonEmpty(first);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(chunk as Buffer);
  return nonEmpty(Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, ''));
}

function nonEmpty(secret: string): string {
  if (!secret) {
    throw new AuthError('USAGE', 'no password on stdin', { hint: "pipe it in: printf '%s' \"$PASSWORD\" | auth-server hash-password" });
  }
  return secret;
}
