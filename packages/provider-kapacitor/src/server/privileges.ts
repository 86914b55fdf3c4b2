import type { DirectoryUser } from '@auth/provider-influx-meta';

/**
 * Kapacitor's authorization model (influxdata/kapacitor `auth/auth.go`): a user
 * holds a privilege bitmask per resource path; an action is allowed when the
 * first resource found walking up from the action's resource grants it.
 */
export const Privilege = {
  none: 1,
  read: 2,
  write: 4,
  delete: 8,
  all: 16,
} as const;

export type PrivilegeName = keyof typeof Privilege;

export interface KapacitorUser {
  readonly name: string;
  readonly admin: boolean;
  /** Cleaned resource path → privilege mask. */
  readonly privileges: ReadonlyMap<string, number>;
}

const ROOT = '/api';
const CONFIG = '/api/config';
const PING = '/api/ping';
const WRITE = '/api/write';

/** `auth.DatabaseResource`: `""` is every database; a `/` in a name is replaced and marked dirty so `a/b` and `a_b` stay distinct. */
export function databaseResource(database: string): string {
  if (database === '') return '/database';
  const replaced = database.replaceAll('/', '_');
  return cleanPath(`/database/${replaced}${replaced === database ? '_clean' : '_dirty'}`);
}

/** `auth.APIResource(strings.TrimPrefix(path, "/kapacitor/v1"))`. */
export function apiResource(requestPath: string): string {
  const rest = requestPath.startsWith('/kapacitor/v1') ? requestPath.slice('/kapacitor/v1'.length) : requestPath;
  return cleanPath(`${ROOT}/${rest}`);
}

/**
 * Meta permissions → Kapacitor privileges (`convertPMPermissions` in
 * `services/auth/service.go`). Names Kapacitor does not know are ignored: they
 * are the user's InfluxDB permissions, not Kapacitor's. An InfluxDB OSS grant
 * (`READ`, `WRITE`, `ALL PRIVILEGES` on a database, as `SHOW GRANTS` lists
 * them) counts as the meta permission it corresponds to (`ReadData`,
 * `WriteData`, both); Kapacitor itself has no OSS directory.
 */
export function kapacitorUser(user: DirectoryUser): KapacitorUser {
  const privileges = new Map<string, number>();
  const add = (resource: string, mask: number) => privileges.set(resource, (privileges.get(resource) ?? 0) | mask);
  for (const [scope, names] of Object.entries(user.permissions)) {
    const db = databaseResource(scope);
    for (const name of names) {
      switch (name) {
        case 'KapacitorAPI':
          privileges.set(ROOT, Privilege.all);
          // KapacitorAPI alone does not open the config API: that takes KapacitorConfigAPI.
          if (!privileges.has(CONFIG)) privileges.set(CONFIG, Privilege.none);
          break;
        case 'KapacitorConfigAPI':
          privileges.set(PING, Privilege.all);
          privileges.set(CONFIG, Privilege.all);
          break;
        case 'WriteData':
        case 'WRITE':
          add(db, Privilege.write);
          privileges.set(WRITE, Privilege.write);
          privileges.set(PING, Privilege.all);
          break;
        case 'ReadData':
        case 'READ':
          privileges.set(PING, Privilege.all);
          add(db, Privilege.read);
          break;
        case 'ALL PRIVILEGES':
          add(db, Privilege.read | Privilege.write);
          privileges.set(WRITE, Privilege.write);
          privileges.set(PING, Privilege.all);
          break;
        default:
      }
    }
  }
  return { name: user.name, admin: user.admin, privileges };
}

/** `User.AuthorizeAction`: admins and privilege-free actions pass; otherwise the nearest resource present decides. */
export function allows(user: KapacitorUser, resource: string, required: number): boolean {
  if (required === Privilege.none || user.admin) return true;
  let current = cleanPath(resource);
  for (;;) {
    const mask = user.privileges.get(current);
    if (mask !== undefined) return (mask & required) !== 0 || mask === Privilege.all;
    if (current === '/') return false;
    current = parentPath(current);
  }
}

export function privilegeName(mask: number): string {
  return (Object.keys(Privilege) as PrivilegeName[]).find((name) => Privilege[name] === mask) ?? 'unknown';
}

/** The user's privileges as `resource:privilege` strings, for the principal. */
export function describePrivileges(user: KapacitorUser): string[] {
  if (user.admin) return ['admin'];
  const out: string[] = [];
  for (const [resource, mask] of [...user.privileges].sort(([a], [b]) => a.localeCompare(b))) {
    for (const name of Object.keys(Privilege) as PrivilegeName[]) {
      if (mask & Privilege[name]) out.push(`${resource}:${name}`);
    }
  }
  return out;
}

/** Go's `path.Clean` for absolute paths. */
function cleanPath(p: string): string {
  const out: string[] = [];
  for (const segment of p.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  return `/${out.join('/')}`;
}

function parentPath(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}
