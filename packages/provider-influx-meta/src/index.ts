import type { Provider } from '@auth/core/provider';
import type { InfluxMetaSettings } from './options.js';
import { influxMeta } from './provider.js';

export type { DirectoryUser, UserDirectory } from './user-directory.js';
export { metaDirectory, ossDirectory, type MetaDirectoryOptions, type OssDirectoryOptions } from './directories.js';
export { MetaClient, MAX_REDIRECTS, type MetaClientOptions, type MetaRole, type MetaUser } from './meta-client.js';
export { OssClient, type OssClientOptions, type OssUser } from './oss-client.js';
export { META_PERMISSIONS, isKnownPermission, type KnownMetaPermission, type MetaPermission, type PermissionScopes } from './permissions.js';
export { quoteIdent, quoteString, influxql, type OssPrivilege } from './influxql.js';
export { ossPrivilege, type GrantRequest } from './user-admin.js';
export type { InfluxCredentials, Secret } from './credentials.js';
export type { InfluxTls } from './transport.js';
export { createInfluxMeta, influxMeta } from './provider.js';
export { influxMetaOptions, SHARED_SECRET_ENV, NEW_PASSWORD_ENV, type InfluxMetaSettings } from './options.js';

export default influxMeta satisfies Provider<InfluxMetaSettings>;
