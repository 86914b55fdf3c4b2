/** `Basic <base64(user-id ":" password)>`, UTF-8 as RFC 7617 §2.1 `charset="UTF-8"` has it. Dependency-free: the print-token hot path uses it. */
export function basicAuthorization(credential: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${credential.username}:${credential.password}`, 'utf8').toString('base64')}`;
}
