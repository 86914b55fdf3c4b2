/**
 * Reads standard input one line at a time, on demand, for answers and
 * secrets piped in by a script (`--client-secret-stdin`, `--password-stdin`,
 * prompts when stdin is not a terminal). Stdin is paused between requests so
 * an open pipe never keeps the process alive.
 */
export class StdinLines {
  private buffer = '';
  private ended = false;
  private attached = false;
  private readonly waiting: Array<(line: string | undefined) => void> = [];

  constructor(private readonly input: NodeJS.ReadStream = process.stdin) {}

  /** The next line without its line ending; undefined once stdin has ended. */
  next(): Promise<string | undefined> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.attach();
      this.drain();
    });
  }

  private attach(): void {
    if (this.attached) return;
    this.attached = true;
    this.input.setEncoding('utf8');
    this.input.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.drain();
    });
    this.input.on('end', () => {
      this.ended = true;
      this.drain();
    });
    this.input.on('error', () => {
      this.ended = true;
      this.drain();
    });
  }

  private drain(): void {
    while (this.waiting.length > 0) {
      const newline = this.buffer.indexOf('\n');
      let line: string | undefined;
      if (newline >= 0) {
        line = this.buffer.slice(0, newline).replace(/\r$/, '');
        this.buffer = this.buffer.slice(newline + 1);
      } else if (this.ended) {
        line = this.buffer.length > 0 ? this.buffer : undefined;
        this.buffer = '';
      } else {
        break;
      }
      this.waiting.shift()?.(line);
    }
    if (this.ended) return;
    if (this.waiting.length > 0) this.input.resume();
    else this.input.pause();
  }
}
