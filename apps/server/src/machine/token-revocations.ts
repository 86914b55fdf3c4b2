import { join } from 'node:path';
import { z } from 'zod';
import { AuthError } from '@auth/core';
import { readPrivateFile } from '../fs/private-files.js';
import { WriteBehindFile, type WriteLog } from './write-behind-file.js';

/**
 * Revoked machine logins. An access token names its login session (`sid`,
 * kept across renewals), so revoking one token refuses every token renewed
 * from the same login, as Infisical's revoke does to its token row. An
 * entry is kept until the last moment any token of that session could
 * still verify, then forgotten.
 */
export interface TokenRevocationStore {
  /** Refuses `sessionId` until `until` (epoch seconds). */
  revoke(sessionId: string, until: number): Promise<void>;
  isRevoked(sessionId: string, now: number): Promise<boolean>;
}

export const REVOCATIONS_FILE = 'machine-token-revocations.json';

const fileSchema = z.object({ version: z.literal(1), revoked: z.record(z.string(), z.number().int()) });

/** In memory, written behind to the data dir so a restart keeps refusing revoked tokens. */
export class FileTokenRevocationStore implements TokenRevocationStore {
  readonly #revoked: Map<string, number>;
  readonly #file: WriteBehindFile;

  private constructor(
    file: string,
    revoked: Record<string, number>,
    private readonly now: () => number,
    log?: WriteLog,
  ) {
    this.#revoked = new Map(Object.entries(revoked));
    this.#file = new WriteBehindFile(file, () => {
      this.#forgetExpired();
      return `${JSON.stringify({ version: 1, revoked: Object.fromEntries(this.#revoked) })}\n`;
    }, log);
    this.#forgetExpired();
  }

  /** `now` is epoch seconds. */
  static async open(dataDir: string, now: () => number, log?: WriteLog): Promise<FileTokenRevocationStore> {
    const file = join(dataDir, REVOCATIONS_FILE);
    const text = await readPrivateFile(file);
    let revoked: Record<string, number> = {};
    if (text !== undefined) {
      try {
        revoked = fileSchema.parse(JSON.parse(text)).revoked;
      } catch (cause) {
        throw new AuthError('STORE_CORRUPT', `${file} is not a valid auth-server revocation file`, {
          file,
          cause,
          hint: 'restore it from a backup; deleting it lets revoked machine tokens verify again until they expire',
        });
      }
    }
    return new FileTokenRevocationStore(file, revoked, now, log);
  }

  async revoke(sessionId: string, until: number): Promise<void> {
    this.#revoked.set(sessionId, Math.max(until, this.#revoked.get(sessionId) ?? 0));
    this.#file.changed();
  }

  async isRevoked(sessionId: string, now: number): Promise<boolean> {
    const until = this.#revoked.get(sessionId);
    return until !== undefined && now < until;
  }

  async close(): Promise<void> {
    await this.#file.flush();
    this.#file.close();
  }

  #forgetExpired(): void {
    const now = this.now();
    for (const [sessionId, until] of this.#revoked) if (until <= now) this.#revoked.delete(sessionId);
  }
}
