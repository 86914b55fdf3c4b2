import { writePrivateFile } from '../fs/private-files.js';

/** Where a failed write and its recovery are reported (a pino logger fits). */
export interface WriteLog {
  error(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

/**
 * A private file kept in step with state held in memory: `changed()` asks
 * for a write of `serialise()`; at most one write is in flight, and changes
 * during it cause exactly one more write after it. A failed write is logged
 * once and retried; the server keeps serving from memory meanwhile.
 */
export class WriteBehindFile {
  #dirty = false;
  #inFlight: Promise<void> | undefined;
  #failing = false;
  #retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string,
    private readonly serialise: () => string,
    private readonly log?: WriteLog,
    private readonly retryDelayMs = 1000,
    private readonly writeFile: (file: string, content: string) => Promise<void> = writePrivateFile,
  ) {}

  changed(): void {
    this.#dirty = true;
    this.#inFlight ??= this.#drain();
  }

  /** Resolves once everything changed so far is on disk (or the last attempt failed). */
  async flush(): Promise<void> {
    while (this.#inFlight) await this.#inFlight;
  }

  /** Stops retrying after a failure (server shutdown). */
  close(): void {
    clearTimeout(this.#retry);
  }

  async #drain(): Promise<void> {
    try {
      while (this.#dirty) {
        this.#dirty = false;
        try {
          await this.writeFile(this.file, this.serialise());
          if (this.#failing) this.log?.info({ event: 'state.write_recovered', file: this.file }, 'state written again');
          this.#failing = false;
        } catch (error) {
          this.#dirty = true;
          if (!this.#failing) {
            this.log?.error({ event: 'state.write_failed', file: this.file, err: { message: (error as Error).message } }, 'cannot write state; retrying');
          }
          this.#failing = true;
          this.#retry = setTimeout(() => this.changed(), this.retryDelayMs);
          this.#retry.unref();
          return;
        }
      }
    } finally {
      this.#inFlight = undefined;
    }
  }
}
