/**
 * Every OS keyring call runs in a helper child process, bounded in time,
 * except the common read: see `readInProcess`.
 *
 * Why a process: @napi-rs/keyring connects to the Secret Service in its
 * constructor, on the calling thread, and a Secret Service that never answers
 * (a frozen bus, an unlock prompt nobody sees) blocks that thread for good.
 * A timer cannot help in-process: Node joins worker and libuv-pool threads
 * on exit, so a process with one call stuck in native code never exits. A
 * child can be killed. One helper serves every call of a process; it costs
 * one `node` start-up, paid only by profiles that use the keyring.
 *
 * Zod-free and loads no keyring code itself: `print-token` imports it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { AuthError } from '../errors.js';
import { readSecretServiceItem, sessionBusSocket } from './secret-service-read.js';

/** Bound on one keyring call (gh uses 3 s too); the helper's start-up has its own. */
export const KEYRING_TIMEOUT_MS = 3000;
const STARTUP_TIMEOUT_MS = 10_000;

/** The account of the item the probe writes and deletes again; never a credential key. */
export const PROBE_ACCOUNT = 'authctl-keyring-probe';

type Request =
  | { op: 'get'; service: string; account: string }
  | { op: 'set'; service: string; account: string; value: string }
  | { op: 'delete'; service: string; account: string }
  | { op: 'list'; service: string }
  | { op: 'probe'; service: string };

interface Replies {
  get: string | null;
  set: null;
  delete: boolean;
  list: string[];
  probe: null;
}

export type KeyringStatus = { usable: true } | { usable: false; reason: string };

/**
 * Why a call failed, in words fit for a user; never a secret. Recognised by
 * name: the helper may have been started by the other copy of this module.
 */
class KeyringFailure extends Error {
  override name = 'KeyringFailure';
}

function isKeyringFailure(error: unknown): error is KeyringFailure {
  return error instanceof Error && error.name === 'KeyringFailure';
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: KeyringFailure): void;
  timer: NodeJS.Timeout;
}

interface Agent {
  child: ChildProcess;
  /** Settles once the helper has loaded @napi-rs/keyring, or failed to. */
  ready: Promise<void>;
  failStartup(error: KeyringFailure): void;
  pending: Map<number, Pending>;
  nextId: number;
}

interface AgentState {
  agent?: Agent;
  /** Why the keyring is out of reach for the rest of this process (a call timed out, the helper died). */
  broken?: string;
  probes: Map<string, Promise<KeyringStatus>>;
  warned: Set<string>;
}

// Shared through globalThis: the CLI bundles a copy of the print-token path,
// and a keyring that timed out there must fail fast in the full program too.
const STATE_KEY = Symbol.for('@auth/core/keyring-agent');
const state: AgentState = ((globalThis as Record<symbol, AgentState | undefined>)[STATE_KEY] ??= {
  probes: new Map(),
  warned: new Set(),
});

/** What the keyring is called where it is reached. */
export function keyringName(): string {
  if (process.platform === 'darwin') return 'macOS Keychain';
  if (process.platform === 'win32') return 'Windows Credential Manager';
  return 'Secret Service';
}

/** STORE_UNAVAILABLE for a keyring that cannot be used; `reason` never holds a secret. */
export function keyringUnavailable(reason: string): AuthError {
  return new AuthError('STORE_UNAVAILABLE', `the OS keyring (${keyringName()}) is not usable: ${reason}`, {
    hint: 'unlock or start the OS keyring and retry, or run `authctl store use file` to keep credentials in files (0600)',
  });
}

/** One keyring operation, in the helper process, within KEYRING_TIMEOUT_MS; STORE_UNAVAILABLE when it fails. */
export async function keyringCall<R extends Request>(request: R): Promise<Replies[R['op']]> {
  try {
    if (request.op === 'get') {
      const value = await readInProcess(request.service, request.account);
      if (value !== undefined) return value as Replies[R['op']];
    }
    return await callHelper(request);
  } catch (error) {
    throw isKeyringFailure(error) ? keyringUnavailable(error.message) : error;
  }
}

const NO_ANSWER = `no answer within ${KEYRING_TIMEOUT_MS / 1000} s (is it locked, or its service stuck?)`;

/**
 * A read without the helper's process start-up (print-token's common case):
 * on Linux the item is read straight off the session bus, asynchronously,
 * so KEYRING_TIMEOUT_MS bounds it and a stuck bus cannot hold the process.
 * Only a live Secret Service holding exactly one matching item, unlocked,
 * answers here; anything else (no item, a locked one, no Secret Service, an
 * address that is not a unix socket) is left to the helper, as before.
 * The Secret Service is the keyring that can be stuck or locked behind a
 * prompt on a bus; the others keep the helper.
 */
async function readInProcess(service: string, account: string): Promise<string | undefined> {
  if (process.platform !== 'linux' || state.agent !== undefined || state.broken !== undefined) return undefined;
  const socket = sessionBusSocket();
  if (socket === undefined) return undefined;
  const verdict = await readSecretServiceItem(socket, service, account, KEYRING_TIMEOUT_MS);
  if (verdict === 'timeout') {
    state.broken = NO_ANSWER;
    throw new KeyringFailure(NO_ANSWER);
  }
  return verdict === 'inconclusive' ? undefined : verdict.secret;
}

async function callHelper<R extends Request>(request: R): Promise<Replies[R['op']]> {
  state.broken ??= missingSessionBus();
  if (state.broken !== undefined) throw new KeyringFailure(state.broken);
  const agent = (state.agent ??= startAgent());
  await agent.ready;
  // Another call may have timed out, and stopped the helper, meanwhile.
  if (state.agent !== agent) throw new KeyringFailure(state.broken ?? 'its helper process stopped');
  const id = agent.nextId++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => stopAgent(agent, NO_ANSWER), KEYRING_TIMEOUT_MS);
    agent.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
    agent.child.stdin!.write(`${JSON.stringify({ id, ...request })}\n`);
  });
}

/**
 * Whether the keyring can store a credential: an item is written, read back
 * and deleted. Reads alone would pass on a locked keyring. Asked once per
 * process and service.
 */
export function probeKeyring(service: string): Promise<KeyringStatus> {
  let probe = state.probes.get(service);
  if (probe === undefined) {
    probe = callHelper({ op: 'probe', service }).then(
      (): KeyringStatus => ({ usable: true }),
      (error: unknown): KeyringStatus => {
        if (isKeyringFailure(error)) return { usable: false, reason: error.message };
        throw error;
      },
    );
    state.probes.set(service, probe);
  }
  return probe;
}

/** True the first time it is asked for `topic` in this process: a warning is printed once. */
export function firstWarning(topic: string): boolean {
  if (state.warned.has(topic)) return false;
  state.warned.add(topic);
  return true;
}

/**
 * Linux without a session bus (SSH, WSL, containers) has no Secret Service:
 * say so plainly, without starting the helper to find out. The bus is
 * looked for where libdbus looks: DBUS_SESSION_BUS_ADDRESS, else $XDG_RUNTIME_DIR/bus.
 */
function missingSessionBus(): string | undefined {
  if (process.platform !== 'linux' || process.env.DBUS_SESSION_BUS_ADDRESS) return undefined;
  const runtimeDir = process.env.XDG_RUNTIME_DIR;
  if (runtimeDir && existsSync(join(runtimeDir, 'bus'))) return undefined;
  return 'no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set), so no Secret Service';
}

function startAgent(): Agent {
  let modulePath: string;
  try {
    modulePath = createRequire(import.meta.url).resolve('@napi-rs/keyring');
  } catch (error) {
    throw new KeyringFailure(`the @napi-rs/keyring package is not installed (${(error as Error).message})`);
  }
  const env = { ...process.env };
  // The helper runs our code only; a preload meant for authctl would run in it too.
  delete env.NODE_OPTIONS;
  const program = `(${keyringHelper.toString()})(require, process.argv[1], ${JSON.stringify(PROBE_ACCOUNT)})`;
  const child = spawn(process.execPath, ['-e', program, modulePath], {
    stdio: ['pipe', 'pipe', 'ignore'],
    env,
    windowsHide: true,
  });
  let ready!: () => void;
  let failStartup!: (error: KeyringFailure) => void;
  const agent: Agent = {
    child,
    ready: new Promise<void>((resolve, reject) => {
      ready = resolve;
      failStartup = reject;
    }),
    failStartup,
    pending: new Map(),
    nextId: 1,
  };
  const startup = setTimeout(() => stopAgent(agent, `its helper process did not start within ${STARTUP_TIMEOUT_MS / 1000} s`), STARTUP_TIMEOUT_MS);
  void agent.ready.then(() => clearTimeout(startup), () => clearTimeout(startup));

  let buffered = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let end;
    while ((end = buffered.indexOf('\n')) >= 0) {
      let reply: HelperReply;
      try {
        reply = JSON.parse(buffered.slice(0, end)) as HelperReply;
      } catch {
        return stopAgent(agent, 'its helper process wrote something that is not a reply');
      }
      buffered = buffered.slice(end + 1);
      if ('ready' in reply) ready();
      else if ('fatal' in reply) stopAgent(agent, reply.fatal);
      else settle(agent, reply.id, reply.ok ? { value: reply.value } : { error: reply.error });
    }
  });
  // A helper killed on timeout closes its stdin; the exit is reported, not the broken pipe.
  child.stdin!.on('error', () => {});
  child.on('error', (error) => stopAgent(agent, `its helper process failed to run (${error.message})`));
  child.on('exit', (code, signal) => stopAgent(agent, `its helper process exited (${signal ?? code})`));
  // Neither the helper nor its pipes keep authctl alive; a pending call's timer does.
  child.unref();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  (child.stdout as unknown as { unref?: () => void }).unref?.();
  process.once('exit', () => child.kill('SIGKILL'));
  return agent;
}

type HelperReply =
  | { ready: true }
  | { fatal: string }
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: string };

function settle(agent: Agent, id: number, outcome: { value: unknown } | { error: string }): void {
  const pending = agent.pending.get(id);
  if (pending === undefined) return;
  agent.pending.delete(id);
  clearTimeout(pending.timer);
  if ('error' in outcome) pending.reject(new KeyringFailure(outcome.error));
  else pending.resolve(outcome.value);
}

/** Kills the helper and fails whatever waits on it; the keyring stays out of reach for the rest of the process. */
function stopAgent(agent: Agent, reason: string): void {
  if (state.agent !== agent) return;
  state.agent = undefined;
  state.broken = reason;
  agent.child.kill('SIGKILL');
  agent.failStartup(new KeyringFailure(reason));
  for (const id of [...agent.pending.keys()]) settle(agent, id, { error: reason });
}

/**
 * The helper process's program, run with `node -e` (CommonJS) and given
 * `require`, the resolved @napi-rs/keyring path and PROBE_ACCOUNT.
 * Self-contained: it is serialised with `toString()`. One JSON request per
 * stdin line, one reply per stdout line, in order.
 */
function keyringHelper(load: NodeJS.Require, modulePath: string, probeAccount: string): void {
  const write = (reply: object) => process.stdout.write(`${JSON.stringify(reply)}\n`);
  let keyring: typeof import('@napi-rs/keyring');
  try {
    keyring = load(modulePath);
  } catch (error) {
    write({ fatal: `cannot load @napi-rs/keyring (${(error as Error).message})` });
    process.exit(1);
  }
  // Pinned on Linux: the default falls back to the kernel keyring, which forgets everything at logout.
  const options = { linux: { store: 'secret-service' as const } };
  const entry = (service: string, account: string) => new keyring.Entry(service, account, options);
  type Request = { id: number; op: string; service: string; account: string; value: string };
  const ops: Record<string, (request: Request) => unknown> = {
    get: (r) => entry(r.service, r.account).getPassword(),
    set: (r) => {
      entry(r.service, r.account).setPassword(r.value);
      return null;
    },
    delete: (r) => entry(r.service, r.account).deletePassword(),
    list: (r) => keyring.findCredentials(r.service).map((credential) => credential.account),
    probe: (r) => {
      const probe = entry(r.service, probeAccount);
      const marker = `probe-${process.pid}`;
      probe.setPassword(marker);
      const readBack = probe.getPassword();
      probe.deletePassword();
      if (readBack !== marker) throw new Error('an item written to it did not read back');
      return null;
    },
  };
  let buffered = '';
  process.stdin.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let end;
    while ((end = buffered.indexOf('\n')) >= 0) {
      const request = JSON.parse(buffered.slice(0, end)) as Request;
      buffered = buffered.slice(end + 1);
      try {
        write({ id: request.id, ok: true, value: ops[request.op]!(request) });
      } catch (error) {
        write({ id: request.id, ok: false, error: (error as Error).message || String(error) });
      }
    }
  });
  process.stdin.on('end', () => process.exit(0));
  write({ ready: true });
}
