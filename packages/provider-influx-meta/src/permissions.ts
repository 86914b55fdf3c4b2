/**
 * The permission names of the InfluxDB Enterprise meta API, codes 0-18, as
 * Kapacitor's `services/auth/meta/types.go` lists them ("kept up-to-date with
 * the corresponding type in meta/data.go"). The docs' permissions page spells
 * code 12 `ManageContnuousQuery`; the code says `ManageContinuousQuery`.
 */
export const META_PERMISSIONS = [
  'NoPermissions',
  'ViewAdmin',
  'ViewChronograf',
  'CreateDatabase',
  'CreateUserAndRole',
  'AddRemoveNode',
  'DropDatabase',
  'DropData',
  'ReadData',
  'WriteData',
  'Rebalance',
  'ManageShard',
  'ManageContinuousQuery',
  'ManageQuery',
  'ManageSubscription',
  'Monitor',
  'CopyShard',
  'KapacitorAPI',
  'KapacitorConfigAPI',
] as const;

export type KnownMetaPermission = (typeof META_PERMISSIONS)[number];

/**
 * A permission name as a meta node lists it: one of the known names, or a
 * newer one this package does not know yet (kept as given, never a decode
 * failure, unlike Kapacitor, whose whole decode fails on an unknown name).
 */
export type MetaPermission = KnownMetaPermission | (string & {});

/** Permission names per scope: `""` is cluster-wide, any other key a database. */
export type PermissionScopes = Record<string, MetaPermission[]>;

export function isKnownPermission(name: string): name is KnownMetaPermission {
  return (META_PERMISSIONS as readonly string[]).includes(name);
}
