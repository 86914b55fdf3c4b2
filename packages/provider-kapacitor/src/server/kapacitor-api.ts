import type { GatewayRequest } from '@auth/core/provider';
import type { ApiModel } from './api-model.js';
import { kapacitorCredentials } from './credentials.js';
import { goQuote } from './go-text.js';
import { allows, apiResource, databaseResource, Privilege, privilegeName, type KapacitorUser } from './privileges.js';
import { kapacitorError, kapacitorPlainText } from './responses.js';

/** `requiredPrivilegeForHTTPMethod` (`services/httpd/handler.go`). */
function requiredPrivilege(method: string): number | undefined {
  switch (method) {
    case 'HEAD':
    case 'OPTIONS':
      return Privilege.none;
    case 'GET':
      return Privilege.read;
    case 'POST':
    case 'PATCH':
    case 'PUT':
      return Privilege.write;
    case 'DELETE':
      return Privilege.delete;
    default:
      return undefined;
  }
}

const WRITE_PATHS = new Set(['/write', '/kapacitor/v1/write']);

/**
 * Kapacitor's API: every request authenticated (`[http] auth-enabled`), the
 * method's privilege on `/api` + the path without `/kapacitor/v1`, then, for a
 * write, the database in `db` (`serveWriteLine`). Kapacitor parses the points
 * before it looks at `db`; the gateway never reads the body, so it checks `db`
 * first and leaves the points to Kapacitor.
 */
export const kapacitorApi: ApiModel = {
  credentials: kapacitorCredentials,
  isOpen: () => false,
  error: kapacitorError,
  tokenError: (message) => `invalid token: ${message}`,
  bearerDisabled: 'invalid token: bearer tokens are not accepted: no [http] shared-secret is configured',
  unknownBearerUser: (name, directory) =>
    `retrieving user ${goQuote(name)} from ${directory === 'meta' ? 'InfluxDB Enterprise meta' : 'InfluxDB'}: user not found`,
  authorize(request: GatewayRequest, user: KapacitorUser) {
    const required = requiredPrivilege(request.method);
    if (required === undefined) {
      return kapacitorError(403, `unknown method ${goQuote(request.method)}`, `${request.method} is not a Kapacitor API method`);
    }
    if (!allows(user, apiResource(request.path), required)) {
      const message = `user ${user.name} does not have ${goQuote(privilegeName(required))} privilege for API endpoint ${goQuote(request.path)}`;
      return kapacitorError(403, message, `${user.name} lacks ${privilegeName(required)} on ${apiResource(request.path)}`);
    }
    if (request.method === 'POST' && WRITE_PATHS.has(request.path)) {
      const database = request.query.get('db') ?? '';
      if (database === '') return kapacitorPlainText(400, 'database is required', 'write without db');
      if (!allows(user, databaseResource(database), Privilege.write)) {
        const message = `${goQuote(user.name)} user is not authorized to write to database ${goQuote(database)}`;
        return kapacitorPlainText(401, message, `${user.name} lacks write on ${databaseResource(database)}`);
      }
    }
    return undefined;
  },
};
