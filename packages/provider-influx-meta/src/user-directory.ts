/**
 * Where Kapacitor-compatible authentication finds its users: an InfluxDB
 * Enterprise meta node (`GET /user?name=`, the hash and permissions Kapacitor
 * reads) or an InfluxDB OSS 1.x server (users and grants through InfluxQL).
 */
export interface DirectoryUser {
  readonly name: string;
  /**
   * The user's bcrypt hash as the directory holds it. Absent when the
   * directory checks passwords itself (an Enterprise LDAP user, every OSS
   * user): then `checkPassword` decides.
   */
  readonly hash?: string;
  /** An OSS admin (`WITH ALL PRIVILEGES`); Enterprise meta users are never admin to Kapacitor. */
  readonly admin: boolean;
  /** Permission names per scope, as the directory lists them (`""` = cluster-wide, else a database); unknown names kept as given. */
  readonly permissions: Readonly<Record<string, readonly string[]>>;
}

export interface UserDirectory {
  /** The directory's URL, for logs and error messages. */
  readonly url: string;
  /** The user, or undefined when the directory has no such user (404 `user not found` or an empty list alike). */
  user(name: string, signal: AbortSignal): Promise<DirectoryUser | undefined>;
  /** For a user without a hash: whether the directory accepts this password. */
  checkPassword(name: string, password: string, signal: AbortSignal): Promise<boolean>;
}
