import { spawn } from 'node:child_process';
import { AuthError, type Interaction, type InteractionEvent } from '@auth/core';
import type { Output } from '../output.js';
import { browserBlocker, NO_BROWSER_HINT } from './browser-environment.js';
import { DeviceCodeDisplay, type DeviceCodeAnnouncement } from './device-code-display.js';
import type { StdinLines } from './stdin-lines.js';

export interface TerminalInteractionOptions {
  out: Output;
  lines: StdinLines;
  env: NodeJS.ProcessEnv;
  /** Prompts use a real terminal (hidden secret entry) when true, else one stdin line each. */
  tty: boolean;
}

/**
 * The CLI's Interaction: human text on stderr, JSON events on stdout with
 * `--json`, prompts on the terminal (inquirer) or, when stdin is not a
 * terminal, one line of stdin per question. On a terminal the device code
 * gets a QR code and a countdown (see DeviceCodeDisplay).
 */
export function createTerminalInteraction({ out, lines, env, tty }: TerminalInteractionOptions): Interaction {
  let deviceCode: DeviceCodeDisplay | undefined;
  // A question ends the device-code countdown: a redrawn line would write over the prompt.
  function stopCountdown(): void {
    deviceCode?.stop();
    deviceCode = undefined;
  }
  async function readAnswer(question: string): Promise<string> {
    out.info(question);
    const line = await lines.next();
    if (line === undefined) {
      throw new AuthError('USAGE', `no answer on stdin for "${question}"`, {
        hint: 'run the command on a terminal, or pass the value as a flag or environment variable',
      });
    }
    return line.trim();
  }

  return {
    print(message) {
      out.info(message);
    },

    async prompt(question) {
      stopCountdown();
      if (!tty) return readAnswer(question);
      const { default: input } = await import('@inquirer/input');
      return cancellable(() => input({ message: question }, { output: process.stderr }));
    },

    async promptSecret(question, options) {
      stopCountdown();
      if (!tty) {
        const secret = await readAnswer(question);
        out.addSecret(secret);
        return secret;
      }
      const { default: password } = await import('@inquirer/password');
      const secret = await cancellable(() => password({ message: question, mask: false }, { output: process.stderr }));
      out.addSecret(secret);
      if (options?.confirm) {
        const again = await cancellable(() =>
          password({ message: 'Re-enter to confirm', mask: false }, { output: process.stderr }),
        );
        if (again !== secret) {
          throw new AuthError('USAGE', 'the two entries did not match', { hint: 'run the command again' });
        }
      }
      return secret;
    },

    openUrl(url) {
      return browserBlocker(env) === undefined ? openInBrowser(url, env) : Promise.resolve(false);
    },

    progress(message) {
      if (deviceCode) deviceCode.update(message);
      else out.progress(message);
    },

    emit(event) {
      if (out.options.json) out.event(event);
      else if (out.options.silent) renderEssential(event, out);
      else if (event.event === 'device_code' && out.decorated) {
        deviceCode = DeviceCodeDisplay.show(event as DeviceCodeAnnouncement, out);
      }
      if (event.event === 'logged_in') stopCountdown();
      const blocker = event.event === 'open_url' ? browserBlocker(env) : undefined;
      if (blocker) out.info(`No browser opened: ${blocker}.\n${out.style('yellow', 'hint:')} ${NO_BROWSER_HINT}`);
    },
  };
}

/**
 * `--silent` drops human text, but a person still needs the URL to open and
 * the device code to type; the flows emit both as events.
 */
function renderEssential(event: InteractionEvent, out: Output): void {
  if (event.event === 'open_url' && typeof event.url === 'string') {
    out.essential(`Open ${event.url}`);
  } else if (event.event === 'device_code' && typeof event.user_code === 'string') {
    out.essential(`Open ${String(event.verification_uri)} and enter the code ${event.user_code}`);
  }
}

/** `$BROWSER <url>`, else xdg-open on a desktop session; false when there is nothing to run. */
function openInBrowser(url: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const command = env.BROWSER || (env.DISPLAY || env.WAYLAND_DISPLAY ? 'xdg-open' : undefined);
  if (!command) return Promise.resolve(false);
  return new Promise((resolve) => {
    const child = spawn(command, [url], { detached: true, stdio: 'ignore', env });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}

/** Ctrl+C inside an inquirer prompt becomes a clean CANCELLED error. */
async function cancellable<T>(ask: () => Promise<T>): Promise<T> {
  try {
    return await ask();
  } catch (error) {
    if (error instanceof Error && error.name === 'ExitPromptError') {
      throw new AuthError('CANCELLED', 'cancelled at the prompt', { cause: error });
    }
    throw error;
  }
}
