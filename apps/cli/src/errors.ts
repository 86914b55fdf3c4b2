import { CommanderError } from 'commander';
import { AuthError, EXIT_CODES, exitCodeFor } from '@auth/core';
import type { Output } from './output.js';

export interface ReportOptions {
  /** Message and hint on one stderr line (print-token: scripts capture stdout and show stderr as is). */
  oneLine?: boolean;
  /** AUTHCTL_DEBUG=1: also the stack and causes of the error. */
  debug?: boolean;
  /** False when the command's own `--json` result already says what went wrong (status). */
  event?: boolean;
}

/** A usage error commander reported for one command, with the help that command has. */
export class UsageError extends CommanderError {
  constructor(
    error: CommanderError,
    /** `authctl user switch --help` */
    readonly help: string,
  ) {
    super(error.exitCode, error.code, error.message);
  }
}

/**
 * The top-level handler: `authctl: <message>` and `hint: <hint>` on stderr,
 * an `{"event":"error",...}` line on stdout with `--json`, and the exit code
 * of ARCHITECTURE.md. A stack trace only with AUTHCTL_DEBUG=1.
 */
export function reportError(error: unknown, out: Output, options: ReportOptions = {}): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its usage message on stderr.
    if (error.exitCode === 0) return 0;
    const help = error instanceof UsageError ? error.help : 'authctl --help';
    out.event({ event: 'error', code: 'USAGE', message: singleLine(error.message.replace(/^error: /, '')), hint: `run \`${help}\`` });
    return EXIT_CODES.USAGE;
  }

  const known = AuthError.is(error);
  const message = singleLine(known ? error.message : `unexpected error: ${describe(error)}`);
  const hint = known ? error.details.hint : options.debug ? undefined : 'set AUTHCTL_DEBUG=1 to see where it happened';
  if (options.oneLine) {
    out.essential(`authctl: ${message}${hint ? ` (${hint})` : ''}`);
  } else {
    out.essential(`authctl: ${out.style('red', message)}`);
    if (hint) out.essential(`${out.style('yellow', 'hint:')} ${hint}`);
  }
  if (options.debug) out.essential(debugTrace(error));
  if (options.event !== false) out.event({ event: 'error', code: known ? error.code : 'INTERNAL', message, hint });
  return exitCodeFor(error);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function singleLine(text: string): string {
  return text.replace(/\s*\n\s*/g, '; ').trim();
}

/** The stack and the chain of causes, for AUTHCTL_DEBUG=1. */
function debugTrace(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth += 1) {
    parts.push(current instanceof Error ? (current.stack ?? current.message) : String(current));
    current = current instanceof Error ? current.cause : undefined;
    if (current !== undefined) parts.push('caused by:');
  }
  return parts.join('\n');
}
