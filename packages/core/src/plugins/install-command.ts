import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { npmGlobalRoot, pnpmHome, realpathOrSelf } from './plugin-locations.js';

/**
 * The command that installs `packageName` where a program installed at
 * `self` (a file of it: `import.meta.url` or a path) finds it: beside it in
 * npm's or pnpm's global folder, in the project that depends on it (with
 * that project's package manager), or in the root of the workspace checkout
 * it was built in.
 */
export function installCommand(self: string, packageName: string, env: Readonly<Record<string, string | undefined>>): string {
  const file = realpathOrSelf(self.startsWith('file:') ? fileURLToPath(self) : self);
  if (isInside(file, realpathOrSelf(npmGlobalRoot(env)))) return `npm install -g ${packageName}`;
  if (isInside(file, realpathOrSelf(pnpmHome(env)))) return `pnpm add -g ${packageName}`;
  const modules = file.indexOf(`${sep}node_modules${sep}`);
  if (modules >= 0) {
    const project = file.slice(0, modules);
    return `${projectInstall(project)} ${packageName} (in ${project})`;
  }
  const workspace = ancestorWith(dirname(file), 'pnpm-workspace.yaml');
  if (workspace !== undefined) return `pnpm add -w ${packageName} (in ${workspace})`;
  return `npm install -g ${packageName}`;
}

function projectInstall(project: string): string {
  if (existsSync(join(project, 'pnpm-lock.yaml'))) return 'pnpm add';
  if (existsSync(join(project, 'yarn.lock'))) return 'yarn add';
  if (existsSync(join(project, 'bun.lock')) || existsSync(join(project, 'bun.lockb'))) return 'bun add';
  return 'npm install';
}

function ancestorWith(start: string, file: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, file))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

function isInside(file: string, dir: string): boolean {
  return file.startsWith(dir.endsWith(sep) ? dir : `${dir}${sep}`);
}
