import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * ARCHITECTURE.md: "a provider's quirks live in its package, never in core
 * (no `switch (provider.id)` anywhere in core, CLI or server)". What counts as
 * naming a provider, checked on the parsed source (comments are free to cite a
 * vendor's behaviour):
 * - a provider id as a word of a string, template or regular-expression
 *   literal (`'keycloak'`, `provider = "oidc"`, `(oidc, keycloak, ...)`);
 *   a word inside a longer name (`oidc-provider`, `gcp-iam`, `KUBERNETES_EXEC_INFO`)
 *   or a path (`/kapacitor/v1`) is not one;
 * - a literal naming a provider package (`@auth/provider-keycloak`): providers
 *   are reached through discovery only.
 * The ids are those of the workspace's provider packages, so a new provider is covered the day it lands.
 */
const ROOT = join(import.meta.dirname, '../../../..');
const SOURCES = ['packages/core/src', 'apps/cli/src', 'apps/server/src'];

/**
 * Literals that spell a provider id but are no provider knowledge, each with why: another
 * meaning of the word, or a command line a person copies that names the generic OpenID
 * Connect provider (an OpenID issuer such as `auth-server --dev` is what it is for).
 */
const EXCUSED: ReadonlyArray<{ file: string; literal: string; because: string }> = [
  { file: 'packages/core/src/flows/authorization-server.ts', literal: 'oidc', because: "oauth4webapi's discovery algorithm (OpenID Connect Discovery 1.0 metadata)" },
  { file: 'apps/cli/src/commands/configure.ts', literal: 'oidc', because: 'the acronym OIDC, upper-cased in the labels of setting names' },
  {
    file: 'apps/cli/src/help-examples.ts',
    literal: 'authctl configure --profile dev --provider oidc --set issuer=https://idp.example.com --client-id my-cli --default',
    because: 'an example command line: any OpenID issuer through the generic provider',
  },
  { file: 'apps/server/src/dev/dev-banner.ts', literal: '  authctl configure --profile dev --provider oidc --set issuer=', because: "the dev-mode contract's command line for its own OpenID issuer" },
  { file: 'apps/server/src/dev/dev-banner.ts', literal: '  authctl configure --profile dev-service --provider oidc --set issuer=', because: "the dev-mode contract's command line for its own OpenID issuer" },
];

function providerIds(): string[] {
  return readdirSync(join(ROOT, 'packages'))
    .filter((folder) => folder.startsWith('provider-'))
    .map((folder) => (JSON.parse(readFileSync(join(ROOT, 'packages', folder, 'package.json'), 'utf8')) as { name: string }).name)
    .map((name) => /^@auth\/provider-(.+)$/.exec(name)![1]!);
}

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(c|m)?tsx?$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The text of every string, template and regular-expression literal, with its line. */
function literals(file: string, text = readFileSync(file, 'utf8')): Array<{ text: string; line: number }> {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: Array<{ text: string; line: number }> = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node) || ts.isRegularExpressionLiteral(node)) {
      // A regular expression's text is its source between the slashes.
      const text = ts.isRegularExpressionLiteral(node) ? node.text.slice(1, node.text.lastIndexOf('/')) : node.text;
      found.push({ text, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function violations(ids: readonly string[], files: readonly string[], read = (file: string) => readFileSync(file, 'utf8')): string[] {
  const word = new RegExp(`(?<![\\w./@-])(${ids.map((id) => id.replace(/[-]/g, '\\-')).join('|')})(?![\\w-])`);
  const packageName = /@auth\/provider-[a-z0-9]/;
  const found: string[] = [];
  for (const file of files) {
    const where = relative(ROOT, file);
    for (const { text, line } of literals(file, read(file))) {
      const id = word.exec(text)?.[1];
      const excused = EXCUSED.some((entry) => entry.file === where && entry.literal === text);
      if ((id !== undefined && !excused) || packageName.test(text)) found.push(`${where}:${line}: ${JSON.stringify(text)}`);
    }
  }
  return found;
}

describe('core, CLI and server name no provider', () => {
  const ids = providerIds();

  it('knows the ids of every provider package in the workspace', () => {
    expect(ids).toEqual(expect.arrayContaining(['keycloak', 'oidc', 'entra', 'auth0', 'kapacitor', 'influx-meta', 'aws-iam', 'gcp', 'azure', 'kubernetes']));
  });

  it('finds a provider named in a branch, a hint or an import, and not in a comment or a longer name', () => {
    const sample = [
      "// keycloak's realms, cited in a comment, are fine",
      "if (provider.id === 'keycloak') realm();",
      'const hint = `use provider = "oidc" for it`;',
      "import { entra } from '@auth/provider-entra';",
      "const methods = [/aws-iam/, 'gcp-iam', 'oidc-provider', 'KUBERNETES_EXEC_INFO', '/kapacitor/v1', ctx.oidc];",
    ].join('\n');
    expect(violations(ids, [join(ROOT, 'sample.ts')], () => sample).map((line) => line.replace(/^.*?:(\d+):/, '$1:'))).toEqual([
      '2: "keycloak"',
      '3: "use provider = \\"oidc\\" for it"',
      '4: "@auth/provider-entra"',
      '5: "aws-iam"',
    ]);
  });

  it.each(SOURCES)('%s names no provider outside comments', (folder) => {
    expect(violations(ids, sourceFiles(join(ROOT, folder)))).toEqual([]);
  });

  it('every excused literal is still there, so the list cannot hide a new use', () => {
    for (const entry of EXCUSED) {
      expect(literals(join(ROOT, entry.file)).map(({ text }) => text), entry.file).toContain(entry.literal);
    }
  });

  it('no provider reads process.env: the environment reaches it through core (ProviderIO.env, AdminContext.env, `environment`)', () => {
    const readers: string[] = [];
    for (const folder of readdirSync(join(ROOT, 'packages')).filter((name) => name.startsWith('provider-'))) {
      for (const file of sourceFiles(join(ROOT, 'packages', folder, 'src'))) {
        const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
        const visit = (node: ts.Node): void => {
          if (ts.isPropertyAccessExpression(node) && node.getText(source) === 'process.env') {
            readers.push(`${relative(ROOT, file)}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`);
          }
          ts.forEachChild(node, visit);
        };
        visit(source);
      }
    }
    expect(readers).toEqual([]);
  });
});

