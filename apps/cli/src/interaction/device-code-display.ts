import { createRequire } from 'node:module';
import type { Output } from '../output.js';

/** What the device flow announces before it polls (RFC 8628 §3.2). */
export interface DeviceCodeAnnouncement {
  verification_uri: string;
  verification_uri_complete?: string;
  user_code: string;
  /** Seconds the code stays valid, from now. */
  expires_in: number;
}

/** Quiet zone around the QR code, in modules: enough for phone cameras, small enough for an 80-column terminal. */
const QR_BORDER = 2;

/**
 * The device flow for a person at a terminal (`Output.decorated`): the user
 * code boxed and bold, a QR code of `verification_uri_complete` for a phone,
 * and a countdown of the code's lifetime redrawn in place while the flow
 * polls. Piped output never gets here: the flow's own plain line says it all.
 */
export class DeviceCodeDisplay {
  private status = '';

  private constructor(
    private readonly out: Output,
    private readonly expiresAtMs: number,
  ) {}

  static show(announcement: DeviceCodeAnnouncement, out: Output): DeviceCodeDisplay {
    const code = announcement.user_code;
    const rule = '─'.repeat(code.length + 4);
    out.info('');
    out.info('  Your code:');
    out.info(`  ┌${rule}┐`);
    out.info(`  │  ${out.style('bold', code)}  │`);
    out.info(`  └${rule}┘`);
    const complete = announcement.verification_uri_complete;
    if (complete !== undefined) {
      out.info('');
      for (const line of qrLines(complete)) out.info(`  ${out.style(['white', 'bgBlack'], line)}`);
      out.info(`  Scan to open ${complete}`);
    }
    out.info('');
    return new DeviceCodeDisplay(out, Date.now() + announcement.expires_in * 1000);
  }

  /**
   * The flow's latest progress message; the countdown follows it. It starts
   * with the first poll, once the flow has printed its instructions: any
   * other line of output ends it.
   */
  update(status: string): void {
    const started = this.status !== '';
    this.status = status.replace(/…$/, '');
    if (!started) this.out.liveProgress(() => this.line());
  }

  stop(): void {
    this.out.endProgress();
  }

  private line(): string {
    const left = Math.max(0, Math.ceil((this.expiresAtMs - Date.now()) / 1000));
    if (left === 0) return `${this.status}… the code has expired`;
    const clock = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
    return `${this.status}… ${clock} left`;
  }
}

/**
 * The QR code as half-block text, light modules drawn (as `qrencode -t UTF8`
 * does). Loaded synchronously on first use, so the code is on screen before
 * the flow's next line; uqr stays off every other command's start-up path.
 */
function qrLines(text: string): string[] {
  const { renderUnicodeCompact } = createRequire(import.meta.url)('uqr') as typeof import('uqr');
  return renderUnicodeCompact(text, { border: QR_BORDER }).split('\n');
}
