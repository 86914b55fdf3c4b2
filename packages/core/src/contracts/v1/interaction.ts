/**
 * How a flow talks to the person (or program) running it. The CLI implements
 * it for terminals and `--json`; tests implement it to script a login.
 * Human text goes to stderr, data and JSON events to stdout.
 */
export interface Interaction {
  /** A line of human text (stderr). Suppressed by `--silent` unless essential. */
  print(message: string): void;
  /** Ask for a line of input (e.g. a pasted authorization code). */
  prompt(question: string): Promise<string>;
  /** Ask for a secret with echo off; with `confirm`, ask twice and require a match. */
  promptSecret(question: string, options?: { confirm?: boolean }): Promise<string>;
  /** Open a URL in a browser (honours `BROWSER`); false when nothing could be opened. */
  openUrl(url: string): Promise<boolean>;
  /** Transient progress (e.g. a polling countdown); may be ignored. */
  progress(message: string): void;
  /** A machine-readable event, one JSON object per line on stdout with `--json`. */
  emit(event: InteractionEvent): void;
}

export type InteractionEvent =
  | { event: 'open_url'; url: string }
  | {
      event: 'device_code';
      verification_uri: string;
      verification_uri_complete?: string;
      user_code: string;
      expires_in: number;
      interval: number;
    }
  | { event: 'logged_in'; profile: string; expires_at: number }
  | { event: string; [key: string]: unknown };
