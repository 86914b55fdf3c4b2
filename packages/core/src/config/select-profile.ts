import { didYouMean } from '../did-you-mean.js';
import { AuthError } from '../errors.js';
import type { AuthctlConfig } from './types.js';

/** flag > AUTHCTL_PROFILE > default_profile > 'default'. Zod-free: the hot path uses it. */
export function selectProfileName(config: AuthctlConfig, flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  return flag || env.AUTHCTL_PROFILE || config.default_profile || 'default';
}

/**
 * The raw table of a profile, or PROFILE_NOT_FOUND listing the profiles
 * there are; a near miss gets "did you mean", not an offer to create it.
 */
export function requireProfile(config: AuthctlConfig, name: string): Record<string, unknown> {
  if (Object.hasOwn(config.profiles, name)) return config.profiles[name]!;
  const names = Object.keys(config.profiles);
  const problem = !config.exists
    ? `no profile "${name}": ${config.file} does not exist`
    : names.length === 0
      ? `${config.file}: no profile "${name}" (no profiles are defined)`
      : `${config.file}: no profile "${name}" (available: ${names.join(', ')})`;
  const meant = didYouMean(name, names);
  throw new AuthError('PROFILE_NOT_FOUND', meant === undefined ? problem : `${problem}; did you mean ${meant}?`, {
    file: config.file,
    profile: name,
    hint: meant === undefined ? `run \`authctl configure --profile ${name}\`` : `use --profile ${meant}, or \`authctl profile list\` for all profiles`,
  });
}
