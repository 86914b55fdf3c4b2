import type { ResolvedProfile } from '../config/types.js';
import { createFetch } from './create-fetch.js';

/**
 * The fetch for a profile's requests: its `ca_file` and the proxy variables.
 * Sessions use it unless a fetch is injected; whoever injects one (a trace,
 * a test) should wrap this one, or the profile's network settings are lost.
 */
export function profileFetch(profile: ResolvedProfile, env: NodeJS.ProcessEnv = process.env): typeof fetch {
  const { name, settings, file } = profile;
  return createFetch({ profile: name, configFile: file, env, ...(settings.ca_file === undefined ? {} : { caFile: settings.ca_file }) });
}
