/** A profile read from another tool's config file, as it will go into config.toml. */
export interface ImportedProfile {
  /** Its name in the other tool (before `--prefix`). */
  source: string;
  /** The `[profiles.NAME]` table. Never holds a secret. */
  table: Record<string, unknown>;
  /** A client secret found beside it: it goes to the credential store (`clientSecretKey`), never to config.toml. */
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
