import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, watch } from 'node:fs';
import { dirname } from 'node:path';

/** Resident set size of a process in MiB, from `/proc/<pid>/status` (Linux). */
export function rssMiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) / 1024;
}

/** Resolves once the child's stderr (so far or later) matches; rejects if it exits first. */
export function stderrMatches(child: ChildProcess, soFar: () => string, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!pattern.test(soFar())) return false;
      child.stderr!.off('data', onData);
      child.off('exit', onExit);
      resolve();
      return true;
    };
    const onData = () => setImmediate(check);
    const onExit = (code: number | null) => reject(new Error(`auth-server exited (${code}) before stderr matched ${pattern}`));
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
    check();
  });
}

/** Resolves once `file` exists, watching its folder for the rename that creates it. */
export function fileAppears(file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const watcher = watch(dirname(file));
    const check = () => {
      if (!existsSync(file)) return;
      watcher.close();
      resolve();
    };
    watcher.on('change', check);
    watcher.on('error', reject);
    check();
  });
}
