import { accessSync, constants } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';

/** Debian's chromium, which the browser tests drive; throws (never skips) when it is missing. */
export function chromiumPath(): string {
  try {
    accessSync(CHROMIUM, constants.X_OK);
  } catch (cause) {
    throw new Error(
      `Debian chromium is not installed at ${CHROMIUM}: the browser tests need it. Install it with \`apt-get install -y chromium\`.`,
      { cause },
    );
  }
  return CHROMIUM;
}
