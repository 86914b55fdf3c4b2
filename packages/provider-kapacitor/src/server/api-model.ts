import type { GatewayDeny, GatewayRequest } from '@auth/core/provider';
import type { Credentials } from './credentials.js';
import type { KapacitorUser } from './privileges.js';

/**
 * The upstream's protocol as the gateway speaks it: which credentials it reads
 * and in what order, which paths it leaves open, how it authorizes, and the
 * words and envelope of its refusals. `kapacitor` is Kapacitor 1.6+;
 * `influxdb` is InfluxDB OSS 1.6 in front of which the gateway stands.
 */
export interface ApiModel {
  credentials(request: GatewayRequest): Credentials | undefined;
  /** Requests the upstream serves without authentication. */
  isOpen(request: GatewayRequest): boolean;
  /** A refusal in the upstream's JSON envelope. */
  error(status: number, message: string, reason: string): GatewayDeny;
  /** The 401 body for a shared-secret JWT the library refused, from golang-jwt's message. */
  tokenError(libraryMessage: string): string;
  /** The 401 body for any bearer token when no shared secret is configured. */
  readonly bearerDisabled: string;
  /** The 401 body for a bearer token naming a user the directory does not have. */
  unknownBearerUser(name: string, directory: 'meta' | 'oss'): string;
  /** Undefined when the user may make this request. */
  authorize(request: GatewayRequest, user: KapacitorUser): GatewayDeny | undefined;
}
