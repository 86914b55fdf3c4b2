// @auth/testkit: a real OpenID provider with failure knobs, a headless user,
// and a chromium BROWSER driver, for testing authctl and provider plugins.
export { startTestIdP, type TestIdP, type TestIdPOptions, type GrantRecord } from './test-idp.js';
export type { HeadlessUser } from './headless-user.js';
export { startBlackhole } from './blackhole.js';
export { HOSTILE_TOKEN_ANSWERS, startAnswering, startSocketDestroyer, streamHuge, type HostileServer } from './hostile-server.js';
export { createTestCA, type TestCA } from './test-ca.js';
export type { DoubleTls } from './doubles/double-server.js';
export { startForwardProxy, type ForwardProxy, type ProxiedRequest } from './forward-proxy.js';
export { chromiumPath } from './chromium.js';

export { browserScript } from './browser-script.js';
export { keyringScript, startKeyringSession, type KeyringSession } from './keyring-session.js';
export { startEntraDouble, AZURE_TOKEN_EXCHANGE_AUDIENCE, type EntraDouble, type EntraDoubleOptions } from './doubles/entra-double.js';
export { startAuth0Double, type Auth0Double, type Auth0DoubleOptions } from './doubles/auth0-double.js';
export { startKeycloakDeviceDouble, type KeycloakDeviceDouble, type KeycloakDeviceDoubleOptions } from './doubles/keycloak-device-double.js';
export { createTestCertificate, type TestCertificate } from './doubles/test-certificate.js';
export { startKeycloakAdminDouble, type KeycloakAdminDouble, type KeycloakAdminDoubleOptions, type RecordedRequest } from './keycloak-admin-double/keycloak-admin-double.js';
export { devicePerson, type PersonEvent, type ScriptedPerson } from './scripted-person.js';
export { startAzureImdsDouble, type AzureImdsDouble, type AzureManagedIdentity } from './doubles/azure-imds-double.js';
export { startKubernetesApiDouble, type KubernetesApiDouble, type KubernetesApiDoubleOptions, type KubernetesServiceAccount } from './doubles/kubernetes-api-double.js';
export { startGoogleApisDouble, IAM_CREDENTIALS_AUDIENCE, type GoogleApisDouble, type GoogleServiceAccount, type ServiceAccountKeyFile, type ServiceAccountOptions } from './doubles/google-apis-double.js';
export { startGceMetadataDouble, type GceMetadataDouble, type GceMetadataDoubleOptions } from './doubles/gce-metadata-double.js';
export { startKapacitorDouble, type KapacitorDouble, type KapacitorDoubleOptions, type KapacitorRequest } from './doubles/kapacitor-double.js';
export { startAwsStsDouble, type AwsStsDouble, type AwsStsDoubleOptions, type StsCredentials, type StsPrincipal } from './doubles/aws-sts-double.js';
export { startMachineLoginDouble, type MachineLoginDouble, type MachineLoginDoubleOptions, type MachineLoginRequest, type Refusal } from './doubles/machine-login-double.js';
export { startInfluxMetaDouble, type InfluxMetaDouble, type InfluxMetaDoubleOptions, type MetaRequest } from './doubles/influx-meta-double.js';
export { startInfluxd, type Influxd, type InfluxdOptions } from './influxd.js';
export { keycloakScript, keycloakServerFromEnv, setUpKeycloak, startKeycloakServer, type KeycloakServer, type StartedKeycloak } from './keycloak-server.js';
export { startRedis, type RedisServer, type RedisServerOptions } from './redis-server.js';
