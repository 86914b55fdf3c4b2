/**
 * Reads the token `authctl agent` keeps fresh for a profile, for the
 * `print-token` hot path: one small file, no lock, no store, no keyring.
 * Only node builtins and the refresh-window rule are imported.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { needsRefresh } from '../token/refresh-window.js';

/** What the agent records beside the sinks it writes, for readers that need the expiry and the writer. */
export interface SinkRecord {
  access_token: string;
  token_type: string;
  expires_at: number;
  issued_at?: number;
  /** The agent process that wrote it: a sink whose agent is gone is not trusted. */
  agent_pid: number;
}

export const SINK_RECORD_FILE = 'sink.json';

export function sinkDir(home: string, profile: string): string {
  return join(home, 'sinks', profile);
}

/** The profile's sink token when its agent runs and it is outside the refresh window; else undefined. */
export async function readSinkToken(home: string, profile: string, nowSeconds: number): Promise<SinkRecord | undefined> {
  let record: SinkRecord;
  try {
    record = JSON.parse(await readFile(join(sinkDir(home, profile), SINK_RECORD_FILE), 'utf8')) as SinkRecord;
  } catch {
    return undefined; // missing or half-understood: the ordinary path answers
  }
  if (typeof record.access_token !== 'string' || typeof record.token_type !== 'string' || typeof record.expires_at !== 'number') return undefined;
  if (!Number.isInteger(record.agent_pid) || !isAlive(record.agent_pid)) return undefined;
  if (needsRefresh(record, nowSeconds)) return undefined;
  return record;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
