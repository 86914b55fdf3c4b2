import { resolveProfile, type AdminCommand, type AdminContext, type AdminInput, type AuthctlConfig, type Interaction, type Provider } from '@auth/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The server an admin capability administers, started for the suite. */
export interface AdminServer {
  /** Profile settings (the provider's keys and common ones, e.g. `admin = { username }`) that point the commands at it. */
  settings: Record<string, unknown>;
  /** The administrator's password, as `AUTHCTL_ADMIN_PASSWORD` would give it. */
  adminPassword: string;
  close(): Promise<void>;
}

/** One command the suite runs, in order (create before delete). Secret options are filled in by the suite. */
export interface AdminRun {
  /** The command's path, words joined by spaces (`users create`). */
  command: string;
  args?: AdminInput['args'];
  /** Plain options; leave out the `secretFromStdin` ones: the suite reads a fresh secret for each, as the CLI would. */
  options?: AdminInput['options'];
}

/** What an admin capability claims. */
export interface AdminManifest {
  /**
   * Every command, by its path joined with spaces, and the options of each
   * that read a secret (`secretFromStdin`): `{ 'users create': { secrets: ['password-stdin'] } }`.
   */
  commands: Readonly<Record<string, AdminCommandManifest>>;
  /** The server the runs go to; without it only the declarations are checked. */
  server?: () => Promise<AdminServer>;
  /** Commands to run against the server, in order; every command worth a `--json` check. */
  runs?: readonly AdminRun[];
}

export interface AdminCommandManifest {
  /** The options that read a secret from stdin or a prompt (`secretFromStdin`). */
  secrets?: readonly string[];
  /**
   * Of those, the ones whose secret is the credential the command creates
   * (a new client's secret): shown once in its result, or handed to
   * `saveProfile` for the credential store. Every other secret, and the admin
   * password, never appears in a result, a message or anything saved.
   */
  handsBack?: readonly string[];
}

export interface AdminConformanceOptions {
  provider: () => Provider<any>;
  manifest: AdminManifest;
}

/** Options the CLI puts on every command (global ones, and the admin password's). A command may not declare them again. */
const CLI_OPTIONS = ['profile', 'config', 'json', 'plain', 'silent', 'no-color', 'verbose', 'help', 'version', 'admin-password-stdin'];
const WORD = /^[a-z][a-z0-9-]*$/;
/** A value named like this would be typed into argv, where other users of the machine can read it. */
const SECRET_NAME = /password|secret|credential|private-key/;

const pathOf = (command: AdminCommand<any>) => command.path.join(' ');

/**
 * The conformance suite of an admin capability (contracts v1): commands that
 * mount under `authctl <provider-id>` (unique paths of lower-case words, a
 * one-line summary, well-formed arguments and options), secrets that are
 * switches read from stdin and never argv values, and, against a running
 * server, results that `--json` can print and no secret given to a command in
 * its output, its messages or anything it saves.
 */
export function describeAdminConformance(options: AdminConformanceOptions): void {
  const { manifest } = options;
  const provider = options.provider();
  const commands = provider.admin?.commands ?? [];

  describe(`${provider.id} admin capability: conformance`, () => {
    it('declares specification v1 and exactly the commands of its manifest', () => {
      expect(provider.admin?.specificationVersion).toBe('v1');
      expect(commands.map(pathOf).sort()).toEqual(Object.keys(manifest.commands).sort());
    });

    it('mounts: each path is unique, made of lower-case words, and no command is also a group', () => {
      const paths = commands.map(pathOf);
      expect(new Set(paths).size).toBe(paths.length);
      for (const command of commands) {
        expect(command.path.length, pathOf(command)).toBeGreaterThan(0);
        for (const word of command.path) expect(word, pathOf(command)).toMatch(WORD);
        const group = `${pathOf(command)} `;
        expect(paths.filter((other) => other.startsWith(group)), `${pathOf(command)} is a command and a group`).toEqual([]);
      }
    });

    it('every command has a one-line summary, and every argument and option a description', () => {
      for (const command of commands) {
        expect(command.summary.trim(), pathOf(command)).not.toBe('');
        expect(command.summary, pathOf(command)).not.toContain('\n');
        for (const part of [...(command.args ?? []), ...(command.options ?? [])]) expect(part.description.trim(), `${pathOf(command)} ${part.name}`).not.toBe('');
      }
    });

    it('arguments are well-formed: unique names, a variadic one only last, no required one after an optional one', () => {
      for (const command of commands) {
        const args = command.args ?? [];
        const names = args.map((arg) => arg.name);
        expect(new Set(names).size, pathOf(command)).toBe(names.length);
        for (const name of names) expect(name, pathOf(command)).toMatch(/^[a-z][a-z0-9_-]*$/);
        args.forEach((arg, index) => {
          if (arg.variadic) expect(index, `${pathOf(command)}: variadic ${arg.name} is not last`).toBe(args.length - 1);
          if (arg.required !== false && index > 0) expect(args[index - 1]!.required, `${pathOf(command)}: ${arg.name} follows an optional argument`).not.toBe(false);
        });
      }
    });

    it("options are well-formed: unique kebab-case names that are not the CLI's own", () => {
      for (const command of commands) {
        const names = (command.options ?? []).map((option) => option.name);
        expect(new Set(names).size, pathOf(command)).toBe(names.length);
        for (const name of names) {
          expect(name, pathOf(command)).toMatch(WORD);
          expect(CLI_OPTIONS, `${pathOf(command)} --${name}`).not.toContain(name);
        }
      }
    });

    it('secrets are read from stdin or a prompt, never argv: the declared secret options are switches, and no argument or value takes a secret', () => {
      for (const command of commands) {
        const secrets = (command.options ?? []).filter((option) => option.secretFromStdin !== undefined);
        const declared = manifest.commands[pathOf(command)];
        expect(secrets.map((option) => option.name).sort(), pathOf(command)).toEqual([...(declared?.secrets ?? [])].sort());
        for (const name of declared?.handsBack ?? []) expect(declared?.secrets ?? [], `${pathOf(command)}: handsBack names a secret option`).toContain(name);
        for (const option of secrets) {
          expect(option.value, `${pathOf(command)} --${option.name} takes no value`).toBeUndefined();
          expect(option.secretFromStdin?.trim(), `${pathOf(command)} --${option.name} has a prompt label`).not.toBe('');
        }
        for (const arg of command.args ?? []) expect(arg.name, `${pathOf(command)} argument`).not.toMatch(SECRET_NAME);
        for (const option of command.options ?? []) {
          if (option.value !== undefined) expect(option.name, `${pathOf(command)} --${option.name} <${option.value}>`).not.toMatch(SECRET_NAME);
        }
      }
    });

    if (manifest.server === undefined || (manifest.runs ?? []).length === 0) {
      it('runs no command: the manifest names no server to run them against', () => {
        expect(manifest.runs ?? []).toEqual([]);
      });
      return;
    }
    describeRuns(provider, manifest, manifest.server, manifest.runs ?? []);
  });
}

function describeRuns(provider: Provider<any>, manifest: AdminManifest, startServer: () => Promise<AdminServer>, runs: readonly AdminRun[]): void {
  let server: AdminServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server?.close());

  runs.forEach((run, index) => {
    const described = [run.command, ...Object.values(run.args ?? {}).flat()].join(' ');
    it(`run ${index + 1}, ${described}: --json prints its data, text comes in lines, and no secret given is printed or saved`, async () => {
      const serial = index + 1;
      const command = provider.admin?.commands.find((candidate) => pathOf(candidate) === run.command);
      expect(command, `the manifest runs ${run.command}, which the provider does not declare`).toBeDefined();
      // Each secret this run is given is new, so any copy of it found later came from this run.
      const given: string[] = [server.adminPassword];
      const secret = (label: string, kept = true) => {
        const value = `conformance-${label.replace(/\W+/g, '-')}-${serial}-${given.length}-not-for-output`;
        if (kept) given.push(value);
        return value;
      };
      const handsBack = manifest.commands[run.command]?.handsBack ?? [];
      const options: Record<string, string | boolean | undefined> = { ...run.options };
      for (const option of command!.options ?? []) {
        if (option.secretFromStdin !== undefined) options[option.name] = secret(option.name, !handsBack.includes(option.name));
      }

      const printed: string[] = [];
      const saved: unknown[] = [];
      const interaction: Interaction = {
        print: (message) => printed.push(message),
        progress: (message) => printed.push(message),
        emit: (event) => printed.push(JSON.stringify(event)),
        prompt: async () => '',
        promptSecret: async (question) => secret(question),
        openUrl: async () => false,
      };
      const config: AuthctlConfig = {
        home: '/conformance/.config/authctl',
        file: '/conformance/.config/authctl/config.toml',
        exists: true,
        store: { backend: 'file', path: '/conformance/.config/authctl/state' },
        profiles: { admin: { provider: provider.id, ...server.settings } },
      };
      const profile = resolveProfile(config, 'admin', provider);
      const ctx: AdminContext<any> = {
        profile: 'admin',
        settings: profile.settings,
        adminPassword: async () => server.adminPassword,
        // The suite administers with a password; a command asking for the profile's own login instead fails loudly.
        profileToken: async () => {
          throw new Error('the admin conformance suite logs in with the administrator password, not the profile\'s own login');
        },
        env: {},
        interaction,
        fetch,
        signal: new AbortController().signal,
        timeoutMs: 10_000,
        saveProfile: async (name, table, secrets) => {
          // What would reach config.toml, and what would reach the credential store.
          saved.push({ name, table }, secrets ?? {});
        },
      };

      const result = await command!.run(ctx, { args: run.args ?? {}, options });

      expect(JSON.parse(JSON.stringify(result.data ?? null)), `${run.command}: --json prints its data`).toEqual(result.data ?? null);
      const lines = result.render();
      expect(Array.isArray(lines), run.command).toBe(true);
      for (const line of lines) expect(typeof line === 'string' && !line.includes('\n'), `${run.command}: ${JSON.stringify(line)}`).toBe(true);
      const everything = JSON.stringify({ data: result.data, lines, printed, saved });
      for (const value of given) expect(everything.includes(value), `${run.command} printed or saved a secret it was given`).toBe(false);
    });
  });
}
