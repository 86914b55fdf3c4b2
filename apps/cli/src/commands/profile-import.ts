import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'smol-toml';
import {
  AuthError,
  clientSecretKey,
  isProfileName,
  PROFILE_NAME_RULE,
  resolveProfile,
  tokenKey,
  updateConfig,
  type AuthctlConfig,
  type ImportedProfile,
  type ImportSource,
} from '@auth/core';
import { cliStore, importProvider, loadProfileConfig, type Cli, type StartCli } from '../context.js';
import { findImporter } from '../profile-importers.js';

interface ImportFlags {
  /** An importer id some installed provider declares. */
  from: string;
  prefix?: string;
  overwrite?: boolean;
  dryRun?: boolean;
}

/** A profile ready to be written, under the name it gets here. */
interface Planned extends ImportedProfile {
  name: string;
  replaces: boolean;
}

export function profileImportCommand(profile: Command, start: StartCli): void {
  profile
    .command('import')
    .description("import profiles from another tool's config file; their secrets go to the credential store, never to config.toml")
    .requiredOption('--from <tool>', 'the tool whose config file to read: one an installed provider imports from (an unknown one is answered with the list)')
    .argument('[file]', 'its config file (default: where the tool keeps it)')
    .option('--prefix <text>', 'put this in front of every imported profile name (e.g. old-)')
    .option('--overwrite', 'replace profiles that already exist (their stored login and client secret are removed)')
    .option('--dry-run', 'show what would be written, and write nothing')
    .action(async (fileArg: string | undefined, flags: ImportFlags, command: Command) => {
      const cli = start(command);
      const { config } = await loadProfileConfig(cli);
      const source = await findImporter(flags.from, config);
      const file = resolve(fileArg ?? source.defaultFile(cli.env));
      const found = source.read(await readSource(file, flags.from), file);
      if (found.profiles.length === 0) {
        reportUnusable(cli, flags.from, found);
        throw new AuthError('CONFIG_INVALID', `${file} holds no ${flags.from} profile that authctl can import`, { file, hint: source.emptyHint });
      }
      for (const imported of found.profiles) cli.out.addSecret(imported.clientSecret);

      const planned = await plan(cli, config, found, flags, file);
      if (flags.dryRun) showDryRun(cli, config, planned, flags.from);
      else if (planned.length > 0) await apply(cli, config, planned, flags.from);
      reportUnusable(cli, flags.from, found);
    });
}

/** The profiles to write: existing ones are left alone unless --overwrite; every one must pass core's checks first. */
async function plan(cli: Cli, config: AuthctlConfig, found: ImportSource, flags: ImportFlags, file: string): Promise<Planned[]> {
  const planned: Planned[] = [];
  for (const imported of found.profiles) {
    const name = `${flags.prefix ?? ''}${imported.source}`;
    const replaces = config.profiles[name] !== undefined;
    if (replaces && !flags.overwrite) {
      report(
        cli,
        { event: 'profile_not_imported', profile: name, source: imported.source, reason: 'exists' },
        `Skipped ${flags.from} profile "${imported.source}": profile "${name}" already exists in ${config.file} (--overwrite replaces it)`,
      );
      continue;
    }
    await validate(config, name, imported, { tool: flags.from, file });
    planned.push({ ...imported, name, replaces });
  }
  return planned;
}

function showDryRun(cli: Cli, config: AuthctlConfig, planned: Planned[], from: string): void {
  for (const profile of planned) describe(cli, profile, from, true);
  if (!cli.globals.json && planned.length > 0) {
    cli.out.data(stringify({ profiles: Object.fromEntries(planned.map((profile) => [profile.name, profile.table])) }));
  }
  cli.out.info(`Dry run: nothing was written to ${config.file} or the credential store`);
}

/** config.toml first (one atomic update), then the credential store: a replaced profile's old login and secret go. */
async function apply(cli: Cli, config: AuthctlConfig, planned: Planned[], from: string): Promise<void> {
  const defaultProfile = await write(config, planned);
  const store = cliStore(cli, config);
  for (const profile of planned) {
    if (profile.replaces) await store.delete(tokenKey(profile.name));
    if (profile.clientSecret !== undefined) await store.set(clientSecretKey(profile.name), { kind: 'secret', value: profile.clientSecret });
    else if (profile.replaces) await store.delete(clientSecretKey(profile.name));
    describe(cli, profile, from, false);
  }
  cli.out.info(`${planned.length} profile(s) written to ${config.file}${defaultProfile ? `; "${defaultProfile}" is the default profile` : ''}`);
}

function reportUnusable(cli: Cli, from: string, found: ImportSource): void {
  for (const { source, reason } of found.unusable) {
    report(cli, { event: 'profile_not_imported', source, reason }, `Could not import ${from} profile "${source}": ${reason}`);
  }
}

async function readSource(file: string, tool: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const missing = (error as { code?: unknown }).code === 'ENOENT';
    throw new AuthError('USAGE', `${missing ? 'No' : 'Cannot read the'} ${tool} config file ${file}${missing ? '' : `: ${(error as Error).message}`}`, {
      file,
      hint: `name the file to read: authctl profile import --from ${tool} FILE`,
      cause: error,
    });
  }
}

/** Core's own checks on the would-be profile, so nothing is written unless every profile is valid. */
async function validate(config: AuthctlConfig, name: string, profile: ImportedProfile, from: { tool: string; file: string }): Promise<void> {
  if (!isProfileName(name)) {
    throw new AuthError('CONFIG_INVALID', `Cannot import ${from.tool} profile "${profile.source}" from ${from.file}: "${name}" is not a valid profile name: ${PROFILE_NAME_RULE}`, {
      file: from.file,
      profile: profile.source,
      hint: `rename profile "${profile.source}" in ${from.file}, or change --prefix`,
    });
  }
  try {
    const provider = await importProvider(String(profile.table.provider), config);
    resolveProfile({ ...config, profiles: { ...config.profiles, [name]: profile.table } }, name, provider);
  } catch (error) {
    if (!AuthError.is(error)) throw error;
    throw new AuthError('CONFIG_INVALID', `Cannot import ${from.tool} profile "${profile.source}" from ${from.file}: ${error.message}`, {
      file: from.file,
      profile: profile.source,
      hint: `fix profile "${profile.source}" in ${from.file}, then import again`,
      cause: error,
    });
  }
}

/** All profiles in one locked, atomic update; the first becomes the default when there is none. Returns it then. */
async function write(config: AuthctlConfig, planned: Planned[]): Promise<string | undefined> {
  let madeDefault: string | undefined;
  await updateConfig(config.file, (doc) => {
    const profiles = (doc.profiles ??= {}) as Record<string, unknown>;
    for (const profile of planned) profiles[profile.name] = profile.table;
    if (doc.default_profile === undefined) {
      madeDefault = (planned.find((profile) => profile.source === 'default') ?? planned[0])!.name;
      doc.default_profile = madeDefault;
    }
  });
  return madeDefault;
}

function describe(cli: Cli, profile: Planned, from: string, dryRun: boolean): void {
  const stored = profile.clientSecret !== undefined;
  report(
    cli,
    {
      event: 'profile_imported',
      profile: profile.name,
      source: profile.source,
      from,
      replaced: profile.replaces,
      client_secret_stored: stored,
      not_imported: profile.skipped.map(({ key }) => key),
      ...(dryRun ? { dry_run: true } : {}),
    },
    `${dryRun ? 'Would import' : 'Imported'} ${from} profile "${profile.source}" as "${profile.name}"${profile.replaces ? ' (replacing the existing one)' : ''}`,
  );
  if (cli.globals.json) return;
  if (stored) cli.out.info(`  client secret: ${dryRun ? 'would be saved' : 'saved'} in the credential store, not in config.toml`);
  const byReason = new Map<string, string[]>();
  for (const { key, reason } of profile.skipped) byReason.set(reason, [...(byReason.get(reason) ?? []), key]);
  for (const [reason, keys] of byReason) cli.out.info(`  not imported: ${keys.join(', ')} (${reason})`);
}

function report(cli: Cli, event: Record<string, unknown>, line: string): void {
  if (cli.globals.json) cli.out.event(event);
  else cli.out.info(line);
}
