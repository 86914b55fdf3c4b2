import { fileURLToPath } from 'node:url';

/**
 * Absolute path of an executable usable as `BROWSER=<path>`: `<path> <url>` drives Debian chromium through
 * the sign-in and consent pages to the loopback callback. Resolved against dist/ from both src/ and dist/.
 */
export const browserScript: string = fileURLToPath(new URL('../dist/browser-bin.js', import.meta.url));
