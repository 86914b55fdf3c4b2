import { devProfileTest } from '../../support/fixtures.js';

/**
 * The CLI's `devProfileTest` (a default profile `dev` for a file-wide test
 * IdP, fresh AUTHCTL_HOME per test), with every knob the flow tests turn put
 * back first, so a test that failed half-way cannot leak a slow_down, a short
 * device code or an outage into the next one.
 */
export const flowTest = devProfileTest.extend<{ knobsReset: void }>({
  knobsReset: [
    async ({ idp }, use) => {
      idp.slowDownNext(0);
      idp.setDeviceCodeTtl(600);
      idp.setLatency(0);
      await idp.setOutage('none');
      await use();
    },
    { auto: true },
  ],
});
