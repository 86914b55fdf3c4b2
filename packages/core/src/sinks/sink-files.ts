import { chmod, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../stores/atomic-write.js';
import { SINK_RECORD_FILE, sinkDir, type SinkRecord } from './sink-token.js';

export interface SinkToken {
  access_token: string;
  token_type: string;
  expires_at: number;
  issued_at?: number | undefined;
}

/**
 * Writes a profile's sinks, each replaced atomically (0600 in 0700 folders):
 * `token` (the token and a newline: kubeconfig `user.tokenFile`, `$(cat …)`),
 * `header` (an `Authorization:` line for `curl -H @header`),
 * `exec-credential.json` (client.authentication.k8s.io/v1 ExecCredential) and
 * `env` (`AUTHCTL_TOKEN=…` and `AUTHCTL_TOKEN_EXPIRES_AT=…`, for `set -a; . env`).
 * `sink.json`, written last, is what `print-token` reads.
 */
export async function writeSinks(home: string, profile: string, token: SinkToken, agentPid: number): Promise<void> {
  const dir = sinkDir(home, profile);
  for (const folder of [join(home, 'sinks'), dir]) {
    await mkdir(folder, { recursive: true, mode: 0o700 });
    await chmod(folder, 0o700);
  }
  // Token responses spell the type in any case (RFC 6749 §5.1); the header scheme is conventionally `Bearer`.
  const scheme = token.token_type.toLowerCase() === 'bearer' ? 'Bearer' : token.token_type;
  const expiration = new Date(token.expires_at * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const execCredential = {
    apiVersion: 'client.authentication.k8s.io/v1',
    kind: 'ExecCredential',
    status: { token: token.access_token, expirationTimestamp: expiration },
  };
  const record: SinkRecord = {
    access_token: token.access_token,
    token_type: token.token_type,
    expires_at: token.expires_at,
    ...(token.issued_at === undefined ? {} : { issued_at: token.issued_at }),
    agent_pid: agentPid,
  };
  await writeFileAtomic(join(dir, 'token'), `${token.access_token}\n`);
  await writeFileAtomic(join(dir, 'header'), `Authorization: ${scheme} ${token.access_token}\n`);
  await writeFileAtomic(join(dir, 'exec-credential.json'), `${JSON.stringify(execCredential)}\n`);
  await writeFileAtomic(join(dir, 'env'), `AUTHCTL_TOKEN=${token.access_token}\nAUTHCTL_TOKEN_EXPIRES_AT=${token.expires_at}\n`);
  await writeFileAtomic(join(dir, SINK_RECORD_FILE), `${JSON.stringify(record)}\n`);
}

/** Removes a profile's sinks: a sink never holds a token that can no longer be used. */
export async function removeSinks(home: string, profile: string): Promise<void> {
  await rm(sinkDir(home, profile), { recursive: true, force: true });
}
