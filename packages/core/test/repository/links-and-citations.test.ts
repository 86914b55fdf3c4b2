import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(fileURLToPath(new URL('../../../../', import.meta.url)));
const SKIPPED_FOLDERS = new Set(['node_modules', 'dist', '.git', '.turbo', 'test-results', 'coverage']);
const TEXT_FILE = /\.(md|ts|mts|cts|js|mjs|cjs|json|toml|ya?ml|sh|txt)$|^[^.]+$/;

/** Every text file of the repository as a clone has it (no dependencies, no build output). */
function repositoryFiles(dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_FOLDERS.has(entry.name) ? [] : repositoryFiles(path);
    return entry.isFile() && TEXT_FILE.test(entry.name) ? [path] : [];
  });
}

const files = repositoryFiles();
const shown = (path: string) => relative(root, path);

/** Inline links `[text](target)` and reference definitions `[label]: target`, outside code spans and fences. */
function markdownLinks(markdown: string): string[] {
  const prose = markdown.replace(/^(```|~~~)[\s\S]*?^\1/gm, '').replace(/`[^`\n]*`/g, '');
  const inline = [...prose.matchAll(/\]\(\s*(?:<([^>\n]+)>|([^)\s]+))(?:\s+"[^"]*")?\s*\)/g)].map((match) => (match[1] ?? match[2])!);
  const definitions = [...prose.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((match) => match[1]!);
  return [...inline, ...definitions];
}

/**
 * Internal design notes the project was specified from. A clone does not have them,
 * so a file cites the vendor document, RFC section or URL they stand for instead.
 * Their folder names are joined here, not written out, so this file does not cite them itself.
 */
const NOTES_FOLDER = ['..', 'shared', ''].join('/');
const NOTES_SUBFOLDER = 'refer' + 'ence';
const INTERNAL_NOTES = [
  new RegExp(NOTES_FOLDER.replace(/[./]/g, '\\$&')),
  new RegExp(`\\b${NOTES_SUBFOLDER}\\/[\\w-]+\\.md\\b`),
  new RegExp(`\\b${NOTES_SUBFOLDER}\\/seeds\\b`),
  /\b(idp-specifics|cli-anchors|architecture-anchors|server-anchors-update|server-protocols|perf-reliability|feasibility)\.md\b/,
  /\bseed 00\d\b/i,
  /\bthe IdP notes\b/,
];

/** A section sign names its document on the same line: `RFC 8628 §3.5`, `OpenID Connect Core 1.0 §5.3`, `RFC 3986 §2.1, §3.3`. */
const NAMED_DOCUMENT = /(RFC ?\d+|BCP ?\d+|OAuth 2\.[01]|OpenID Connect [A-Za-z0-9 .-]+|NIST SP [\d-]+[A-Z]?|FAPI [\d.]+)[^§]{0,40}$/;
const MORE_SECTIONS = /^[\d.–-]*[\s,;]*(and|or)?\s*$/;

function citesInternalNotes(line: string): boolean {
  if (INTERNAL_NOTES.some((pattern) => pattern.test(line))) return true;
  // A bare `§1.4` was a section of the internal notes; each section sign must follow a named document or a list of its sections.
  const parts = line.split('§');
  let named = false;
  for (let index = 1; index < parts.length; index += 1) {
    const before = parts[index - 1]!;
    named = NAMED_DOCUMENT.test(before) || (named && MORE_SECTIONS.test(before));
    if (!named) return true;
  }
  return false;
}

describe('links and citations resolve inside the repository', () => {
  it('finds the repository files (the check below is not vacuous)', () => {
    expect(files.map(shown)).toEqual(expect.arrayContaining(['README.md', join('packages', 'core', 'README.md'), join('packages', 'core', 'src', 'index.ts')]));
  });

  it('every relative Markdown link points at a file that exists inside the repository', () => {
    const broken: string[] = [];
    for (const file of files.filter((path) => path.endsWith('.md'))) {
      for (const link of markdownLinks(readFileSync(file, 'utf8'))) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(link) || link.startsWith('#')) continue;
        const target = resolve(dirname(file), decodeURI(link.replace(/[#?].*$/, '')));
        if (target !== root && !target.startsWith(root + sep)) broken.push(`${shown(file)}: ${link} leaves the repository`);
        else if (!existsSync(target)) broken.push(`${shown(file)}: ${link} does not exist`);
      }
    }

    expect(broken).toEqual([]);
  });

  it('no file cites the internal design notes (their folders, their Markdown files, the seed documents, a bare §x.y)', () => {
    const self = fileURLToPath(import.meta.url);
    const citing: string[] = [];
    for (const file of files.filter((path) => path !== self)) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, index) => {
          if (citesInternalNotes(line)) citing.push(`${shown(file)}:${index + 1}: ${line.trim()}`);
        });
    }

    expect(citing).toEqual([]);
  });
});

describe('the checks themselves', () => {
  it('markdownLinks finds inline links and reference definitions, not links shown as code', () => {
    const markdown = ['See [a](../a.md#x) and [b](<b c.md> "t").', '[ref]: ./ref.md', '`[no](code.md)`', '```', '[no](fenced.md)', '```'].join('\n');

    expect(markdownLinks(markdown)).toEqual(['../a.md#x', 'b c.md', './ref.md']);
  });

  it('the citation patterns catch each way the internal notes were cited', () => {
    const cited = [
      `see ${NOTES_FOLDER}ARCHITECTURE.md`,
      `(${NOTES_SUBFOLDER}/idp-specifics.md §1.4)`,
      'idp-specifics.md §2',
      `${NOTES_SUBFOLDER}/seeds/000_x.txt`,
      'ClientManager (seed 001)',
      '§2.3 of the IdP notes',
      "test('§2.2 device login --json'",
      'RFC 8628 §3.5 and the Keycloak quirk (§1.3)',
    ];
    const fine = [
      'RFC 8628 §3.5: slow_down adds 5 seconds',
      'userinfo (OpenID Connect Core §5.3), introspection (RFC 7662)',
      'RFC 3986 §2.1, §3.3, §6.2.2',
      'https://cloud.google.com/iam/docs/reference/credentials/rest',
    ];

    for (const line of cited) expect(citesInternalNotes(line), line).toBe(true);
    for (const line of fine) expect(citesInternalNotes(line), line).toBe(false);
  });
});
