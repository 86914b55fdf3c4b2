/**
 * InfluxQL literals for InfluxDB 1.x user statements. The 1.x scanner
 * (`influxql/scanner.go` ScanString) reads a quoted string or identifier up
 * to the closing quote, takes `\\`, `\n`, `\'` and `\"` as escapes, and ends
 * with an error at a raw newline; InfluxDB's own `QuoteString` and
 * `QuoteIdent` escape exactly these. So every value goes out quoted and
 * escaped, and no name or password can end its literal early and add a
 * statement.
 */
function escape(value: string, quote: '"' | "'"): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(quote === '"' ? /"/g : /'/g, `\\${quote}`);
}

/** A double-quoted identifier (user or database name). */
export function quoteIdent(name: string): string {
  return `"${escape(name, '"')}"`;
}

/** A single-quoted string literal (a password). */
export function quoteString(value: string): string {
  return `'${escape(value, "'")}'`;
}

/** The privileges of an OSS 1.x grant on one database. */
export type OssPrivilege = 'READ' | 'WRITE' | 'ALL';

export const influxql = {
  createUser: (name: string, password: string, admin = false) =>
    `CREATE USER ${quoteIdent(name)} WITH PASSWORD ${quoteString(password)}${admin ? ' WITH ALL PRIVILEGES' : ''}`,
  dropUser: (name: string) => `DROP USER ${quoteIdent(name)}`,
  setPassword: (name: string, password: string) => `SET PASSWORD FOR ${quoteIdent(name)} = ${quoteString(password)}`,
  grant: (privilege: OssPrivilege, database: string, name: string) => `GRANT ${privilege} ON ${quoteIdent(database)} TO ${quoteIdent(name)}`,
  revoke: (privilege: OssPrivilege, database: string, name: string) => `REVOKE ${privilege} ON ${quoteIdent(database)} FROM ${quoteIdent(name)}`,
  grantAdmin: (name: string) => `GRANT ALL PRIVILEGES TO ${quoteIdent(name)}`,
  revokeAdmin: (name: string) => `REVOKE ALL PRIVILEGES FROM ${quoteIdent(name)}`,
  showUsers: () => 'SHOW USERS',
  showGrants: (name: string) => `SHOW GRANTS FOR ${quoteIdent(name)}`,
} as const;
