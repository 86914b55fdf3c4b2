import { readFileSync } from 'node:fs';

/**
 * Why no browser should be opened from this session, or undefined when one
 * can be. A browser started over SSH or from WSL, or with no display to show
 * it on, either fails or opens where the person is not looking: the URL is
 * printed instead. `BROWSER` always wins: whoever set it knows how to open one.
 */
export function browserBlocker(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string | undefined {
  if (env.BROWSER) return undefined;
  if (env.SSH_CONNECTION || env.SSH_TTY) return 'this is an SSH session and BROWSER is not set';
  if (platform !== 'linux') return undefined;
  if (env.WSL_DISTRO_NAME || /microsoft/i.test(kernelVersion())) return 'this is WSL and BROWSER is not set';
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset) and BROWSER is not set';
  return undefined;
}

/** The hint printed with the URL when `browserBlocker` says no. */
export const NO_BROWSER_HINT =
  'open the URL above in a browser on this machine yourself; to log in from another device, ' +
  'use `authctl login --flow device` (or `--flow code`)';

function kernelVersion(): string {
  try {
    return readFileSync('/proc/version', 'utf8');
  } catch {
    return '';
  }
}
