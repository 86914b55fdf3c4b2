import type { ProviderEnv } from './provider.js';

/**
 * Reads another tool's config file into profiles of the provider that
 * declares it (`authctl profile import --from <id>`). The CLI finds the
 * importer among the installed providers, validates and writes what it
 * returns, so a plugin adds an importer without the CLI knowing the tool.
 */
export interface ProfileImporter {
  readonly specificationVersion: 'v1';
  /** The `--from` value: the other tool's command name. */
  readonly id: string;
  /** One line for `--help`: the tool and where its config file is. */
  readonly summary: string;
  /** The tool's config file when none is named, from the CLI's environment (HOME, XDG_CONFIG_HOME, APPDATA, …). */
  defaultFile(env: ProviderEnv): string;
  /** The profiles in the file's text (`file` names it in errors); a profile it cannot use goes to `unusable`, with why. */
  read(text: string, file: string): ImportSource;
  /** The next step when the file holds no profile that can be imported. */
  readonly emptyHint: string;
}

/** A profile read from another tool's config file, as it will go into config.toml. */
export interface ImportedProfile {
  /** Its name in the other tool (before `--prefix`). */
  source: string;
  /** The `[profiles.NAME]` table, `provider` included. Never holds a secret. */
  table: Record<string, unknown>;
  /** A client secret found beside it: it goes to the credential store, never to config.toml. */
  clientSecret?: string;
  /** Keys that were not imported, each with the reason, so the user knows what was left behind. */
  skipped: SkippedKey[];
}

export interface SkippedKey {
  key: string;
  reason: string;
}

/** What a source file held: the profiles that can be imported, and those that cannot, with why. */
export interface ImportSource {
  profiles: ImportedProfile[];
  unusable: Array<{ source: string; reason: string }>;
}
