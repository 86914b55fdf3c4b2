import type Provider from 'oidc-provider';

/** A middleware for the Koa app that oidc-provider is (`provider.use(...)`). */
export type KoaMiddleware = Parameters<Provider['use']>[0];
