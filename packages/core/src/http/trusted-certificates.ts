import { readFileSync } from 'node:fs';
import * as tls from 'node:tls';
import { pemCertificates, readCaFile, type CaFileSite } from './ca-file.js';

/**
 * What a connection with a `ca_file` trusts: everything Node trusts by
 * default, plus that file. Giving TLS a `ca` replaces Node's default store,
 * `NODE_EXTRA_CA_CERTS` included, so the defaults are listed explicitly.
 */
export function trustedCertificates(caFile: string, env: NodeJS.ProcessEnv, site: CaFileSite = {}): string[] {
  return [...defaultCertificates(env), ...readCaFile(caFile, site)];
}

/** Node ≥ 22.15 reports its effective default store; Node 20 has only the bundled roots and the extra file. */
function defaultCertificates(env: NodeJS.ProcessEnv): readonly string[] {
  const getCACertificates = (tls as { getCACertificates?: (type: 'default') => string[] }).getCACertificates;
  if (getCACertificates !== undefined) return getCACertificates('default');
  return [...tls.rootCertificates, ...extraCertificates(env.NODE_EXTRA_CA_CERTS)];
}

/** Node warned at startup if this file could not be loaded; it then trusts none of it, and neither do we. */
function extraCertificates(file: string | undefined): string[] {
  if (!file) return [];
  try {
    return pemCertificates(readFileSync(file, 'utf8'));
  } catch {
    return [];
  }
}
