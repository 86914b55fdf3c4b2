import type { GatewayRequest } from '@auth/core/provider';
import type { ApiModel } from './api-model.js';
import { influxdbCredentials } from './credentials.js';
import { goQuote } from './go-text.js';
import { allows, databaseResource, Privilege, type KapacitorUser } from './privileges.js';
import { influxdbError } from './responses.js';

/** Served by InfluxDB 1.6 without authentication (`/health` is 1.8's, for clients that probe it). */
const OPEN_PATHS = new Set(['/ping', '/status', '/health']);

/**
 * InfluxDB OSS 1.x's HTTP API behind the gateway. InfluxDB authorizes each
 * InfluxQL statement; the gateway does not parse InfluxQL, so it asks for the
 * database in `db`: `GET /query` needs read on it, `POST /query` (which can
 * change data and schema) write, and a query without `db`, like every other
 * path, an admin. InfluxDB still authorizes the statements themselves when its
 * own auth is on.
 */
export const influxdbApi: ApiModel = {
  credentials: influxdbCredentials,
  isOpen: (request) => OPEN_PATHS.has(request.path) || request.method === 'OPTIONS',
  error: influxdbError,
  tokenError: (message) => message,
  // Sic: InfluxDB 1.x's ErrBearerAuthDisabled.
  bearerDisabled: 'bearer auth disabld',
  unknownBearerUser: () => 'user not found',
  authorize(request: GatewayRequest, user: KapacitorUser) {
    if (user.admin) return undefined;
    const database = request.query.get('db') ?? '';
    if (request.path === '/query') {
      const [required, word] = request.method === 'GET' ? [Privilege.read, 'READ'] : [Privilege.write, 'WRITE'];
      if (database === '') {
        return influxdbError(403, `error authorizing query: ${user.name} not authorized to execute a query without a database, requires admin privilege`, `${user.name}: /query without db`);
      }
      if (!allows(user, databaseResource(database), required)) {
        return influxdbError(
          403,
          `error authorizing query: ${user.name} not authorized to execute statements on ${database}, requires ${word} on ${database}`,
          `${user.name} lacks ${word} on ${database}`,
        );
      }
      return undefined;
    }
    if (request.path === '/write' && request.method === 'POST') {
      if (database === '') return influxdbError(400, 'database is required', 'write without db');
      if (!allows(user, databaseResource(database), Privilege.write)) {
        return influxdbError(403, `${goQuote(user.name)} user is not authorized to write to database ${goQuote(database)}`, `${user.name} lacks WRITE on ${database}`);
      }
      return undefined;
    }
    return influxdbError(403, `error authorizing request: ${user.name} not authorized to access ${request.path}, requires admin privilege`, `${user.name}: ${request.path} is admin-only`);
  },
};
