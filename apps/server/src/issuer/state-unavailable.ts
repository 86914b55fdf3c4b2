import { errors } from 'oidc-provider';

/**
 * The issuer's state cannot be saved right now (the disk refused the last
 * write). Requests that would change saved state get this as a 503
 * `temporarily_unavailable` (RFC 6749 §4.1.2.1); everything else keeps working.
 * The path and the OS error go to the log, not to the client.
 */
export class StateUnavailable extends errors.OIDCProviderError {
  constructor() {
    super(503, 'temporarily_unavailable');
    this.error_description = 'the server cannot save its state right now; try again in a moment';
    // oidc-provider hides the details of a 5xx; this one is safe and tells the client to retry.
    this.expose = true;
  }
}
