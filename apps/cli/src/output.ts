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

type Style = 'bold' | 'red' | 'yellow' | 'dim' | 'green';

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

  /** A transient line on a terminal (e.g. a polling countdown); nothing elsewhere. */
  progress(message: string): void {
    if (this.options.silent || !process.stderr.isTTY) return;
    process.stderr.write(`\r\x1b[2K${this.redact(message)}`);
    this.progressShown = true;
  }

  style(style: Style, text: string): string {
    return this.colorOn ? styleText(style, text) : text;
  }

  private stderr(line: string): void {
    if (this.progressShown) {
      process.stderr.write('\r\x1b[2K');
      this.progressShown = false;
    }
    process.stderr.write(`${this.redact(line)}\n`);
  }
}
