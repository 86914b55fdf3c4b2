import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { AuthError } from '@auth/core';

/** One agent per AUTHCTL_HOME: `<home>/agent.pid`, created exclusively, holding the agent's pid. */
export function agentPidFile(home: string): string {
  return join(home, 'agent.pid');
}

/** Takes the home's agent lock, taking over one whose process is gone; returns its release. */
export async function acquireAgentLock(home: string): Promise<() => Promise<void>> {
  const file = agentPidFile(home);
  for (let attempt = 0; ; attempt += 1) {
    try {
      const handle = await open(file, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return () => unlink(file).catch(() => {});
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw lockError(file, error);
    }
    const holder = await runningAgentPid(home);
    if (holder !== undefined) throw agentAlreadyRunning(home, holder);
    await unlink(file).catch(() => {}); // left by an agent that was killed
  }
}

/** The pid of the agent running for `home`, if one does. */
export async function runningAgentPid(home: string): Promise<number | undefined> {
  const pid = Number((await readFile(agentPidFile(home), 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

export function agentAlreadyRunning(home: string, pid: number): AuthError {
  return new AuthError('USAGE', `an authctl agent (pid ${pid}) already runs for ${home}`, {
    file: agentPidFile(home),
    hint: 'stop it first with `authctl agent stop`, or use another AUTHCTL_HOME',
  });
}

function lockError(file: string, cause: unknown): AuthError {
  return new AuthError('STORE_UNAVAILABLE', `cannot create the agent lock ${file}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, {
    file,
    hint: 'check that AUTHCTL_HOME exists and is writable, or another agent started at the same moment',
    cause,
  });
}
