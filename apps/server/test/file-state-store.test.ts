import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Adapter } from 'oidc-provider';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { FileStateStore, type FileStateStoreOptions } from '../src/issuer/file-state-store.js';
import { makeDataDir, removeDataDir } from './support/test-server.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A write the test finishes by hand: `settle()` resolves the oldest pending one, `fail()` rejects it. */
function controlledWriter() {
  const pending: Array<{ content: string; resolve: () => void; reject: (error: Error) => void }> = [];
  const written: string[] = [];
  const started: Array<() => void> = [];
  const writer = (_file: string, content: string) =>
    new Promise<void>((resolve, reject) => {
      pending.push({ content, resolve, reject });
      started.splice(0).forEach((wake) => wake());
    });
  return {
    writer,
    pending,
    written,
    /** Resolves once a write has started (now, if one is pending). */
    nextWrite: () => (pending.length > 0 ? Promise.resolve() : new Promise<void>((wake) => started.push(wake))),
    settle() {
      const write = pending.shift()!;
      written.push(write.content);
      write.resolve();
    },
    fail(code: string) {
      pending.shift()!.reject(Object.assign(new Error(`${code}: refused`), { code }));
    },
  };
}

async function openStore(options: FileStateStoreOptions = {}) {
  const dir = await makeDataDir();
  const store = await FileStateStore.open(join(dir, 'issuer-state.json'), { flushDelayMs: 0, ...options });
  cleanup.push(async () => {
    await store.close().catch(() => undefined);
    await removeDataDir(dir);
  });
  const Adapter = store.adapterClass();
  const model = (name: string): Adapter => new Adapter(name);
  return { store, dir, model };
}

const interaction = (clientId: string) => ({ params: { client_id: clientId }, kind: 'Interaction' });

describe('caps on what anyone can create without signing in', () => {
  test('interactions beyond the per-client cap evict that client’s oldest; other clients keep theirs', async () => {
    const { store, model } = await openStore({ limits: { interactions: { total: 10, perClient: 3 } } });
    const interactions = model('Interaction');
    await interactions.upsert('other-1', interaction('other'), 3600);
    for (let i = 0; i < 5; i++) await interactions.upsert(`flood-${i}`, interaction('authctl'), 3600);

    expect(store.count('Interaction')).toBe(4);
    expect(await interactions.find('flood-0')).toBeUndefined();
    expect(await interactions.find('flood-1')).toBeUndefined();
    expect(await interactions.find('flood-4')).toBeDefined();
    expect(await interactions.find('other-1')).toBeDefined();
  });

  test('the global cap holds across clients', async () => {
    const { store, model } = await openStore({ limits: { interactions: { total: 4, perClient: 4 } } });
    const interactions = model('Interaction');
    for (let i = 0; i < 10; i++) await interactions.upsert(`i-${i}`, interaction(`client-${i}`), 3600);
    expect(store.count('Interaction')).toBe(4);
    expect(await interactions.find('i-9')).toBeDefined();
    expect(await interactions.find('i-5')).toBeUndefined();
  });

  test('a flood of interactions and anonymous sessions never evicts a signed-in session', async () => {
    const { store, model } = await openStore({ limits: { interactions: { total: 5, perClient: 5 }, anonymousSessions: 5 } });
    const sessions = model('Session');
    await sessions.upsert('signed-in', { accountId: 'demo', uid: 'u-1', kind: 'Session' }, 3600);
    for (let i = 0; i < 100; i++) {
      await model('Interaction').upsert(`i-${i}`, interaction('authctl'), 3600);
      await sessions.upsert(`anonymous-${i}`, { uid: `a-${i}`, state: { secret: 'x' }, kind: 'Session' }, 3600);
    }
    expect(await sessions.find('signed-in')).toMatchObject({ accountId: 'demo' });
    expect(await sessions.findByUid!('u-1')).toMatchObject({ accountId: 'demo' });
    expect(store.count('Session')).toBe(6);
    expect(store.count('Interaction')).toBe(5);
  });

  test('pending device codes are capped per client; an approved one is not evicted', async () => {
    const { store, model } = await openStore({ limits: { pendingDeviceCodes: { total: 10, perClient: 2 } } });
    const codes = model('DeviceCode');
    await codes.upsert('approved', { clientId: 'authctl', userCode: 'AAAA', kind: 'DeviceCode' }, 600);
    await codes.upsert('approved', { clientId: 'authctl', userCode: 'AAAA', accountId: 'demo', kind: 'DeviceCode' }, 600);
    for (let i = 0; i < 5; i++) await codes.upsert(`pending-${i}`, { clientId: 'authctl', userCode: `P${i}`, kind: 'DeviceCode' }, 600);

    expect(store.count('DeviceCode')).toBe(3);
    expect(await codes.findByUserCode!('AAAA')).toMatchObject({ accountId: 'demo' });
    expect(await codes.findByUserCode!('P0')).toBeUndefined();
    expect(await codes.findByUserCode!('P4')).toBeDefined();
  });

  test('expired records are swept from memory, not only hidden', async () => {
    vi.useFakeTimers();
    try {
      let now = 1_000_000;
      const { store, model } = await openStore({ now: () => now, sweepIntervalMs: 60_000 });
      await model('Interaction').upsert('short', interaction('authctl'), 60);
      await model('Interaction').upsert('long', interaction('authctl'), 3600);
      now += 61_000;
      expect(store.count('Interaction')).toBe(2);
      vi.advanceTimersByTime(60_000);
      expect(store.count('Interaction')).toBe(1);
      expect(await model('Interaction').find('long')).toBeDefined();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('client-credentials token records', () => {
  test('stay in memory, capped per client: a client asking for many only pushes out its own oldest', async () => {
    const writes = controlledWriter();
    const { store, model } = await openStore({ limits: { machineTokens: { total: 10, perClient: 3 } }, writeFile: writes.writer });
    const tokens = model('ClientCredentials');
    await tokens.upsert('quiet-1', { clientId: 'quiet', kind: 'ClientCredentials' }, 3600);
    for (let i = 0; i < 6; i++) await tokens.upsert(`busy-${i}`, { clientId: 'busy', kind: 'ClientCredentials' }, 3600);

    expect(store.count('ClientCredentials')).toBe(4);
    expect(await tokens.find('busy-2')).toBeUndefined();
    expect(await tokens.find('busy-5')).toBeDefined();
    expect(await tokens.find('quiet-1')).toBeDefined();
    // Nothing durable changed, so nothing was written.
    await store.flush();
    expect(writes.pending.length + writes.written.length).toBe(0);
  });
});

describe('what is written to the state file', () => {
  test('only records that must survive a restart are written; interactions and anonymous sessions stay in memory', async () => {
    const { store, model } = await openStore();
    await model('Interaction').upsert('pending', interaction('authctl'), 3600);
    await model('Session').upsert('anonymous', { uid: 'a', kind: 'Session' }, 3600);
    await model('Session').upsert('signed-in', { uid: 'b', accountId: 'demo', kind: 'Session' }, 3600);
    await model('RefreshToken').upsert('rt', { grantId: 'g', kind: 'RefreshToken' }, 3600);
    await store.flush();

    const saved = JSON.parse(await readFile(store.file, 'utf8')) as { records: Record<string, unknown> };
    expect(Object.keys(saved.records).sort()).toEqual(['RefreshToken:rt', 'Session:signed-in']);
    expect((await stat(store.file)).mode & 0o777).toBe(0o600);

    const reopened = await FileStateStore.open(store.file);
    cleanup.push(() => reopened.close());
    expect(await new (reopened.adapterClass())('Session').find('signed-in')).toMatchObject({ accountId: 'demo' });
  });

  test('at most one write is pending: changes during a write are coalesced into exactly one more write', async () => {
    const disk = controlledWriter();
    const { model } = await openStore({ writeFile: disk.writer });
    const tokens = model('RefreshToken');
    await tokens.upsert('first', { kind: 'RefreshToken' }, 3600);
    await disk.nextWrite();
    for (let i = 0; i < 1000; i++) await tokens.upsert(`during-${i}`, { kind: 'RefreshToken' }, 3600);
    expect(disk.pending).toHaveLength(1);

    disk.settle();
    await disk.nextWrite();
    expect(disk.pending).toHaveLength(1);
    disk.settle();

    expect(disk.written).toHaveLength(2);
    expect(Object.keys((JSON.parse(disk.written[1]!) as { records: object }).records)).toHaveLength(1001);
  });
});

describe('a failed write', () => {
  test('is logged once with the path and no stack, refuses changes to written state with 503, keeps memory-only state working, and recovers', async () => {
    const disk = controlledWriter();
    const logged: Array<{ level: string; fields: Record<string, unknown> }> = [];
    const log = {
      error: (fields: object) => logged.push({ level: 'error', fields: fields as Record<string, unknown> }),
      info: (fields: object) => logged.push({ level: 'info', fields: fields as Record<string, unknown> }),
    };
    const { store, model } = await openStore({ writeFile: disk.writer, retryDelayMs: 0, log });
    await model('Grant').upsert('g-1', { kind: 'Grant' }, 3600);
    await disk.nextWrite();
    disk.fail('EISDIR');
    await disk.nextWrite();
    disk.fail('EISDIR');
    await disk.nextWrite();

    expect(logged).toEqual([{ level: 'error', fields: expect.objectContaining({ event: 'state.write_failed', file: store.file, code: 'EISDIR' }) }]);
    expect(JSON.stringify(logged)).not.toMatch(/\n\s+at /);
    await expect(model('Grant').upsert('g-2', { kind: 'Grant' }, 3600)).rejects.toMatchObject({ statusCode: 503, error: 'temporarily_unavailable' });
    await expect(model('RefreshToken').consume('missing')).resolves.toBeUndefined();
    await model('Interaction').upsert('still-works', interaction('authctl'), 3600);
    expect(await model('Grant').find('g-1')).toBeDefined();

    disk.settle();
    await store.flush();
    expect(logged.at(-1)).toMatchObject({ level: 'info', fields: { event: 'state.write_recovered', file: store.file } });
    await expect(model('Grant').upsert('g-2', { kind: 'Grant' }, 3600)).resolves.toBeUndefined();
    await disk.nextWrite();
    disk.settle();
  });
});
