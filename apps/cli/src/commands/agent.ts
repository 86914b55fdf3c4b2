import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import type { Command } from 'commander';
import { AuthError, authctlHome } from '@auth/core';
import { acquireAgentLock, agentAlreadyRunning, runningAgentPid } from '../agent/agent-lock.js';
import { agentStatusFile, realAgentClock, runAgent } from '../agent/run-agent.js';
import { loadProfileConfig, openSession, type Cli, type StartCli } from '../context.js';

/**
 * `authctl agent run | start | stop | status`: a process that keeps the
 * named profiles' tokens fresh ahead of expiry and writes them to sink files
 * under `$AUTHCTL_HOME/sinks/<profile>/` (core's sinks/sink-files.ts), which
 * scripts, kubectl's `tokenFile` and `print-token` read. Vault Agent's
 * auto-auth-and-sinks model.
 */
export function agentCommand(program: Command, start: StartCli): void {
  const agent = program.command('agent').description('keep profiles\' tokens fresh in sink files (run, start, stop, status)');

  agent
    .command('run')
    .description('run the agent in the foreground until SIGTERM or Ctrl-C (--profile NAME, repeated, else [agent] profiles in config)')
    .action(async (_options: object, command: Command) => {
      const cli = start(command);
      await runInForeground(cli, await profilesOf(cli));
    });

  agent
    .command('start')
    .description('start the agent in the background (profiles as for run); its log is $AUTHCTL_HOME/agent.log')
    .action(async (_options: object, command: Command) => {
      const cli = start(command);
      const profiles = await profilesOf(cli);
      const home = authctlHome(cli.env);
      const running = await runningAgentPid(home);
      if (running !== undefined) throw agentAlreadyRunning(home, running);
      const config = cli.globals.config === undefined ? [] : ['--config', cli.globals.config];
      const child = spawn(process.execPath, [process.argv[1]!, ...config, 'agent', 'run', ...profiles.flatMap((p) => ['--profile', p])], {
        detached: true,
        stdio: 'ignore',
        env: cli.env,
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.unref();
      // Reported as started only once it holds the home's lock; one that exits first failed (its reason is in the log).
      for (const deadline = Date.now() + START_TIMEOUT_MS; (await runningAgentPid(home)) !== child.pid; ) {
        const code = await Promise.race([exited, delay(50).then(() => undefined)]);
        if (code !== undefined || Date.now() > deadline) {
          throw new AuthError('INTERNAL', `authctl agent did not start${code === undefined ? ` within ${START_TIMEOUT_MS / 1000} s` : ` (exit code ${code})`}`, {
            file: join(home, 'agent.log'),
            hint: `see ${join(home, 'agent.log')}, or run \`authctl agent run\` in the foreground to see why`,
          });
        }
      }
      cli.out.info(`authctl agent started (pid ${child.pid}) for ${profiles.join(', ')}; log: ${join(home, 'agent.log')}`);
    });

  agent
    .command('stop')
    .description('stop the running agent (SIGTERM); its sinks are removed')
    .action(async (_options: object, command: Command) => {
      const cli = start(command);
      const home = authctlHome(cli.env);
      const pid = await runningAgentPid(home);
      if (pid === undefined) throw notRunning(home);
      process.kill(pid, 'SIGTERM');
      cli.out.info(`sent SIGTERM to the authctl agent (pid ${pid})`);
    });

  agent
    .command('status')
    .description('whether an agent runs for this AUTHCTL_HOME, and the state of each profile it keeps')
    .action(async (_options: object, command: Command) => {
      const cli = start(command);
      const home = authctlHome(cli.env);
      const pid = await runningAgentPid(home);
      const recorded = JSON.parse(await readFile(agentStatusFile(home), 'utf8').catch(() => '{}')) as { pid?: number; profiles?: Record<string, unknown> };
      const profiles = pid !== undefined && recorded.pid === pid ? (recorded.profiles ?? {}) : {};
      if (cli.globals.json) cli.out.data(JSON.stringify({ running: pid !== undefined, pid: pid ?? null, profiles }));
      else {
        cli.out.data(pid === undefined ? `no authctl agent runs for ${home}` : `authctl agent runs (pid ${pid})`);
        for (const [name, state] of Object.entries(profiles)) cli.out.data(`${name}: ${JSON.stringify(state)}`);
      }
      if (pid === undefined) cli.exitCode = 1;
    });
}

/** How long `agent start` waits for the background agent to take the home's lock. */
const START_TIMEOUT_MS = 10_000;

/**
 * `--profile` repeated, else `[agent] profiles` in config. The global
 * `--profile` keeps only its last value, so the repeats are read from argv.
 */
async function profilesOf(cli: Cli): Promise<string[]> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { profile: { type: 'string', multiple: true } }, strict: false, allowPositionals: true });
  const flags = (values.profile ?? []).filter((value): value is string => typeof value === 'string');
  const profiles = flags.length > 0 ? flags : ((await loadProfileConfig(cli)).config.agent?.profiles ?? []);
  if (profiles.length === 0) {
    throw new AuthError('USAGE', 'authctl agent needs the profiles to keep fresh', {
      hint: 'name them: `authctl agent run --profile dev --profile prod`, or `profiles = ["dev", "prod"]` under [agent] in config.toml',
    });
  }
  return [...new Set(profiles)];
}

async function runInForeground(cli: Cli, profiles: string[]): Promise<void> {
  const home = authctlHome(cli.env);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const release = await acquireAgentLock(home);
  const stop = new AbortController();
  const onTerm = (): void => stop.abort();
  process.on('SIGTERM', onTerm);
  const signal = AbortSignal.any([cli.signal, stop.signal]);
  const logFile = join(home, 'agent.log');
  const log = (line: string): void => {
    const stamped = `${new Date().toISOString()} ${line}`;
    appendFileSync(logFile, `${stamped}\n`, { mode: 0o600 });
    cli.out.info(stamped);
  };
  try {
    log(`agent started (pid ${process.pid}) for ${profiles.join(', ')}`);
    await runAgent({
      home,
      profiles,
      open: (profile) => openSession({ ...cli, globals: { ...cli.globals, profile } }, { prompts: false }),
      clock: realAgentClock,
      random: Math.random,
      log,
      signal,
      pid: process.pid,
    });
    log('agent stopped');
  } finally {
    process.off('SIGTERM', onTerm);
    await release();
  }
}

function notRunning(home: string): AuthError {
  return new AuthError('USAGE', `no authctl agent runs for ${home}`, { hint: 'start one with `authctl agent start --profile <name>`' });
}
