// @auth/provider-keycloak/testing: a realm to test against, on a real Keycloak, made by this package's admin code.
export { createInsightsRealm, INSIGHTS_ROLES, REALM_EVENTS, type InsightsRealm, type InsightsRealmOptions, type KeycloakInstance, type RealmUser } from './insights-realm.js';
