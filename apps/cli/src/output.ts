import { styleText } from 'node:util';

/** The global output switches of every command. */
export interface OutputOptions {
  /** Machine-readable events and results on stdout, one JSON object per line. */
  json: boolean;
  /** Undecorated text: no colour, one value per line. */
  plain: boolean;
  /** Only essential human text (a URL to open, a device code, errors). */
  silent: boolean;
  /** `--no-color` turns this off; so do `NO_COLOR` and a non-terminal stderr. */
  color: boolean;
}

type Style = 'bold' | 'red' | 'yellow' | 'dim' | 'green' | 'white' | 'bgBlack';

/**
 * Where every line the CLI prints goes: data and JSON on stdout, human text
 * on stderr. Secrets the CLI has read (from env or stdin) are registered here
 * and masked in anything written to stderr or in JSON error events.
 */
export class Output {
  readonly options: OutputOptions;
  private readonly secrets = new Set<string>();
  private readonly colorOn: boolean;
  private progressShown = false;
  private ticker: NodeJS.Timeout | undefined;

  constructor(options: OutputOptions, env: NodeJS.ProcessEnv = process.env) {
    this.options = options;
    this.colorOn = options.color && !options.plain && !env.NO_COLOR && process.stderr.isTTY === true;
  }

  /** Never echo this value in human text or error events. */
  addSecret(value: string | undefined): void {
    if (value && value.length >= 4) this.secrets.add(value);
  }

  redact(text: string): string {
    let result = text;
    for (const secret of this.secrets) result = result.split(secret).join('***');
    return result;
  }

  /** Human text on stderr; dropped by `--silent`. */
  info(line: string): void {
    if (!this.options.silent) this.stderr(line);
  }

  /** Human text on stderr that `--silent` keeps. */
  essential(line: string): void {
    this.stderr(line);
  }

  /** A result on stdout (a token, a table, a profile name). */
  data(line: string): void {
    process.stdout.write(`${line}\n`);
  }

  /** A JSON object on one line of stdout; only with `--json`. */
  event(value: object): void {
    if (this.options.json) process.stdout.write(`${this.redact(JSON.stringify(value))}\n`);
  }

  /**
   * Human text for a person at a terminal may be decorated (a QR code, a
   * countdown redrawn in place): stderr is a terminal and no switch asks for
   * plain, silent or machine output.
   */
  get decorated(): boolean {
    return process.stderr.isTTY === true && !this.options.plain && !this.options.silent && !this.options.json;
  }

  /** A transient line on a terminal (e.g. a polling countdown); nothing elsewhere. */
  progress(message: string): void {
    if (this.options.silent || !process.stderr.isTTY) return;
    process.stderr.write(`\r\x1b[2K${this.redact(message)}`);
    this.progressShown = true;
  }

  /** A transient line redrawn every second from `render` until the next line of output or `endProgress`. */
  liveProgress(render: () => string): void {
    this.endProgress();
    if (this.options.silent || !process.stderr.isTTY) return;
    this.progress(render());
    // Unref'd: a countdown never keeps the process alive on its own.
    this.ticker = setInterval(() => this.progress(render()), 1000).unref();
  }

  endProgress(): void {
    clearInterval(this.ticker);
    this.ticker = undefined;
    if (this.progressShown) {
      process.stderr.write('\r\x1b[2K');
      this.progressShown = false;
    }
  }

  style(style: Style | Style[], text: string): string {
    // The decision is made above, for stderr; styleText would check stdout, which may be a pipe to a script.
    return this.colorOn ? styleText(style, text, { validateStream: false }) : text;
  }

  private stderr(line: string): void {
    this.endProgress();
    process.stderr.write(`${this.redact(line)}\n`);
  }
}
