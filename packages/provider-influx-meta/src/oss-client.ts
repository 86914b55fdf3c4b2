import { AuthError } from '@auth/core/provider';
import { z } from 'zod';
import { authorizationHeader, basicHeader, type InfluxCredentials } from './credentials.js';
import { influxql, type OssPrivilege } from './influxql.js';
import type { PermissionScopes } from './permissions.js';
import { answerError, answerMessage, send, transport, type Transport, type TransportOptions } from './transport.js';

/**
 * Users and grants of an InfluxDB OSS 1.x server through InfluxQL on
 * `POST /query` (InfluxDB 1.x docs "Authentication and authorization",
 * observed on 1.6.7). A statement's own error comes back as HTTP 200 with
 * `results[].error`; it becomes an AuthError like an HTTP error does.
 */
export interface OssClientOptions extends TransportOptions {
  /** The InfluxDB HTTP API, e.g. `http://127.0.0.1:8086`. */
  url: string;
  credentials: InfluxCredentials;
  signal?: AbortSignal;
  now?: () => number;
}

const WHAT = 'InfluxDB';

const answerSchema = z.object({
  results: z
    .array(
      z.object({
        error: z.string().optional(),
        series: z.array(z.object({ columns: z.array(z.string()), values: z.array(z.array(z.unknown())).optional() })).optional(),
      }),
    )
    .optional(),
  error: z.string().optional(),
});

type Row = Record<string, unknown>;

export interface OssUser {
  name: string;
  admin: boolean;
}

/** OSS privilege strings as SHOW GRANTS lists them, in meta permission names. */
const GRANTED: Readonly<Record<string, string[]>> = {
  READ: ['ReadData'],
  WRITE: ['WriteData'],
  'ALL PRIVILEGES': ['ReadData', 'WriteData'],
};

export class OssClient {
  private readonly io: Transport;
  private readonly base: URL;

  constructor(private readonly options: OssClientOptions) {
    this.base = new URL(options.url);
    this.io = transport(options);
  }

  get url(): string {
    return this.base.origin;
  }

  async users(): Promise<OssUser[]> {
    return (await this.rows(influxql.showUsers())).map((row) => ({ name: String(row.user), admin: row.admin === true }));
  }

  /** Per-database grants in meta permission names (`READ` → ReadData, `WRITE` → WriteData, `ALL` → both). */
  async grants(name: string): Promise<PermissionScopes> {
    const scopes: PermissionScopes = {};
    for (const row of await this.rows(influxql.showGrants(name))) {
      const names = GRANTED[String(row.privilege)];
      if (names) scopes[String(row.database)] = names;
    }
    return scopes;
  }

  createUser(name: string, password: string, admin = false): Promise<void> {
    return this.execute(influxql.createUser(name, password, admin));
  }
  dropUser(name: string): Promise<void> {
    return this.execute(influxql.dropUser(name));
  }
  setPassword(name: string, password: string): Promise<void> {
    return this.execute(influxql.setPassword(name, password));
  }
  grant(name: string, privilege: OssPrivilege, database: string): Promise<void> {
    return this.execute(influxql.grant(privilege, database, name));
  }
  revoke(name: string, privilege: OssPrivilege, database: string): Promise<void> {
    return this.execute(influxql.revoke(privilege, database, name));
  }
  grantAdmin(name: string): Promise<void> {
    return this.execute(influxql.grantAdmin(name));
  }
  revokeAdmin(name: string): Promise<void> {
    return this.execute(influxql.revokeAdmin(name));
  }

  /** Whether InfluxDB accepts this user's password: `SHOW DATABASES` as the user, 200 yes, 401 no. */
  async checkPassword(name: string, password: string): Promise<boolean> {
    const { status, text } = await this.post('SHOW DATABASES', basicHeader(name, password));
    if (status === 200) return true;
    if (status === 401) return false;
    throw this.error(status, answerMessage(text));
  }

  private async execute(statement: string): Promise<void> {
    await this.rows(statement);
  }

  private async rows(statement: string): Promise<Row[]> {
    const { status, text } = await this.post(statement, await authorizationHeader(this.options.credentials, this.options.now));
    if (status !== 200) throw this.error(status, answerMessage(text));
    let body: z.infer<typeof answerSchema>;
    try {
      body = answerSchema.parse(JSON.parse(text));
    } catch (cause) {
      throw new AuthError('PROTOCOL', `${WHAT} at ${this.url}/query sent an answer that is not an InfluxQL result`, {
        url: `${this.url}/query`,
        cause,
        hint: 'check that the URL points at the InfluxDB 1.x HTTP API (port 8086)',
      });
    }
    const result = body.results?.[0];
    const failure = body.error ?? result?.error;
    // A statement error arrives with HTTP 200: it is still a failure.
    if (failure !== undefined) throw this.error(400, failure);
    return (result?.series ?? []).flatMap((series) =>
      (series.values ?? []).map((values) => Object.fromEntries(series.columns.map((column, i) => [column, values[i]]))),
    );
  }

  private async post(statement: string, authorization: string): Promise<{ status: number; text: string }> {
    const url = new URL('/query', this.base);
    const response = await send(
      this.io,
      this.options.signal,
      url,
      { method: 'POST', headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: new URLSearchParams({ q: statement }).toString() },
      WHAT,
    );
    return { status: response.status, text: await response.text() };
  }

  private error(status: number, message: string): AuthError {
    const basic = !('sharedSecret' in this.options.credentials);
    return answerError(status, message, `${this.url}/query`, WHAT, {
      credentials: basic
        ? 'check the admin username in the profile and the password (AUTHCTL_ADMIN_PASSWORD, --admin-password-stdin or the prompt)'
        : "check that the shared secret matches InfluxDB's [http] shared-secret",
    });
  }
}
