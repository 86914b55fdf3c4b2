import { execFile } from 'node:child_process';
import { browserScript } from '../browser-script.js';
import { startTestIdP, type TestIdP, type TestIdPOptions } from '../test-idp.js';

/** The device authorization a flow showed (RFC 8628 §3.2), as its `device_code` event carries it. */
export interface DeviceCodeShown {
  user_code: string;
  verification_uri: string;
  verification_uri_complete?: string;
}

/**
 * The identity provider a provider's flows run against in the conformance
 * suite, and the person who uses it. The kit starts the testkit IdP
 * (`testkitIdP`); a provider whose server cannot be pointed at a plain
 * OpenID provider (fixed vendor paths, a vendor's issuer rules) may bring a
 * double of its vendor behind this interface.
 */
export interface ConformanceIdP {
  /** Where the IdP is; the manifest's `settings(idp)` points the provider here. */
  readonly issuer: string;
  /** The person approves the device code at the IdP (RFC 8628 §3.3). Needed for the device flow. */
  approveDevice?(shown: DeviceCodeShown): Promise<void>;
  /** The person denies it: the polling client gets `access_denied`. Needed for the device flow. */
  denyDevice?(shown: DeviceCodeShown): Promise<void>;
  /**
   * The person signs in and consents at the authorization URL. Resolves with
   * the redirect to `redirectUri` (with `code` and `state`) for the suite to
   * follow, or with nothing when the person's browser followed it already.
   * Needed only for a manifest that declares the browser flow.
   */
  authorize?(authorizationUrl: string, redirectUri: string): Promise<string | undefined>;
  close(): Promise<void>;
}

/** The testkit IdP as the conformance suites use it; `testIdP` gives its knobs and clients. */
export interface TestkitConformanceIdP extends ConformanceIdP {
  readonly testIdP: TestIdP;
  /** `authctl` (public: browser, device, refresh) and `svc` / `svc-secret` (client credentials). */
  readonly clients: TestIdP['clients'];
}

export interface TestkitIdPOptions extends TestIdPOptions {
  /**
   * Who signs in for the browser flow: `headless` (default) follows the pages
   * over plain HTTP; `chromium` runs the testkit's BROWSER executable, Debian's
   * chromium through playwright-core, which also loads the loopback callback.
   */
  browser?: 'headless' | 'chromium';
}

/** The BROWSER executable run as authctl runs `$BROWSER <url>`: it ends once chromium has landed on the callback. */
function chromiumSignsIn(url: string): Promise<undefined> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [browserScript, url], { timeout: 90_000 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`the chromium person did not complete the login (${browserScript}): ${stderr.trim() || error.message}`));
      else resolve(undefined);
    });
  });
}

/** Starts the testkit's in-process OpenID provider, with its headless person (or chromium) approving and denying. */
export async function testkitIdP(options: TestkitIdPOptions = {}): Promise<TestkitConformanceIdP> {
  const { browser = 'headless', ...idpOptions } = options;
  const idp = await startTestIdP(idpOptions);
  return {
    issuer: idp.issuer,
    testIdP: idp,
    clients: idp.clients,
    approveDevice: (shown) => idp.user.approveDevice(shown.verification_uri, shown.user_code),
    denyDevice: (shown) => idp.user.denyDevice(shown.verification_uri, shown.user_code),
    authorize: (url, redirectUri) => (browser === 'chromium' ? chromiumSignsIn(url) : idp.user.authorize(url, redirectUri)),
    close: () => idp.close(),
  };
}
