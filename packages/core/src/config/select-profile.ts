import { didYouMean } from '../did-you-mean.js';
import { AuthError } from '../errors.js';
import { isProfileName, PROFILE_NAME_RULE } from './profile-name.js';
import type { AuthctlConfig } from './types.js';

/**
 * flag > AUTHCTL_PROFILE > default_profile > 'default'. An empty flag is a
 * mistake (a variable that expanded to nothing), never the default profile;
 * an empty variable counts as unset. Zod-free: the hot path uses it.
 */
export function selectProfileName(config: AuthctlConfig, flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (flag !== undefined) return checkedName(flag, '--profile');
  if (env.AUTHCTL_PROFILE) return checkedName(env.AUTHCTL_PROFILE, 'AUTHCTL_PROFILE');
  // checkConfigShape has checked default_profile.
  return config.default_profile ?? 'default';
}

function checkedName(name: string, source: string): string {
  if (name === '') {
    throw new AuthError('USAGE', `${source} is empty`, { hint: `name a profile (\`authctl profile list\` shows them), or leave ${source} out for the default one` });
  }
  if (!isProfileName(name)) {
    // Quoted as JSON: the name may hold anything, control characters included.
    throw new AuthError('USAGE', `${source} ${JSON.stringify(name)} is not a valid profile name: ${PROFILE_NAME_RULE}`, {
      profile: name,
      hint: 'choose a name that follows the rule',
    });
  }
  return name;
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
