import type { Provider } from '../contracts/v1/provider.js';

/** Typed identity: lets a plugin author write a provider with its settings type inferred and checked. */
export function defineProvider<S>(provider: Provider<S>): Provider<S> {
  return provider;
}
