// @auth/testkit: a real OpenID provider with failure knobs, a headless user,
// and a chromium BROWSER driver, for testing authctl and provider plugins.
import { fileURLToPath } from 'node:url';

export { startTestIdP, type TestIdP, type TestIdPOptions, type GrantRecord } from './test-idp.js';
export type { HeadlessUser } from './headless-user.js';
export { startBlackhole } from './blackhole.js';
export { chromiumPath } from './chromium.js';

/**
 * Absolute path of an executable usable as `BROWSER=<path>`: `<path> <url>` drives Debian chromium through
 * the sign-in and consent pages to the loopback callback. Resolved against dist/ from both src/ and dist/.
 */
export const browserScript: string = fileURLToPath(new URL('../dist/browser-bin.js', import.meta.url));
