import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'smol-toml';
import type { ServerConfigInput } from '../../src/index.js';
import { start, type RunningBinary } from './binary.js';

export interface ConfigServer extends RunningBinary {
  /** Where the process listens (`127.0.0.1:<port>`); differs from the issuer's host behind a proxy. */
  address: string;
  /** SIGTERM, then its folder is removed. */
  remove(): Promise<void>;
}

/** The built `auth-server --config <file>` for `config` (data dir and listen address filled in), on a free loopback port. */
export async function startWithConfig(config: Omit<ServerConfigInput, 'data_dir'>): Promise<ConfigServer> {
  const dir = await mkdtemp(join(tmpdir(), 'auth-server-config-'));
  const file = join(dir, 'auth-server.toml');
  await writeFile(file, stringify({ listen: '127.0.0.1:0', data_dir: 'data', ...config }), { mode: 0o600 });
  const running = await start(['--config', file]);
  const [, address] = await running.stderrMatch(/"event":"server\.listening".*?"address":"([^"]+)"/);
  return {
    ...running,
    address: address!,
    remove: async () => {
      await running.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
