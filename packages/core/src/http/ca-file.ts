import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { AuthError } from '../errors.js';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

/** The `BEGIN CERTIFICATE` blocks of a PEM text, each as its own PEM string. */
export function pemCertificates(text: string): string[] {
  return text.match(PEM_CERTIFICATE) ?? [];
}

/** Where a `ca_file` was configured, for the error message. */
export interface CaFileSite {
  /** The config file that names it; a relative `ca_file` is relative to its folder. */
  file?: string;
  profile?: string;
}

/** `~/` is the user's home; a relative path is relative to the config file's folder (else the working directory). */
export function caFilePath(value: string, configFile?: string): string {
  if (value === '~' || value.startsWith('~/')) return join(homedir(), value.slice(1));
  return configFile === undefined ? resolve(value) : resolve(dirname(configFile), value);
}

/**
 * The certificates of a PEM bundle (one or more `BEGIN CERTIFICATE` blocks,
 * as `NODE_EXTRA_CA_CERTS` takes them). Read synchronously: the file is small,
 * checked when the profile is resolved and read again for its first request.
 * A file that is missing, unreadable, or holds no parseable certificate is a
 * CONFIG_INVALID naming the profile, key and path.
 */
export function readCaFile(path: string, site: CaFileSite = {}): string[] {
  let certificates: string[];
  try {
    certificates = pemCertificates(readFileSync(path, 'utf8'));
  } catch (error) {
    throw caFileError(path, site, readProblem(error), error);
  }
  if (certificates.length === 0) throw caFileError(path, site, 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
  for (const [index, pem] of certificates.entries()) {
    try {
      new X509Certificate(pem);
    } catch (error) {
      throw caFileError(path, site, `holds a certificate that cannot be parsed (block ${index + 1} of ${certificates.length})`, error);
    }
  }
  return certificates;
}

function readProblem(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  switch (code) {
    case 'ENOENT':
      return 'does not exist';
    case 'EACCES':
    case 'EPERM':
      return 'cannot be read (permission denied)';
    case 'EISDIR':
      return 'is a folder, not a PEM file';
    default:
      return `cannot be read (${typeof code === 'string' ? code : String(error)})`;
  }
}

function caFileError(path: string, site: CaFileSite, problem: string, cause?: unknown): AuthError {
  const key = site.profile === undefined ? 'ca_file' : `profiles.${site.profile}.ca_file`;
  const where = site.file === undefined ? '' : `${site.file}: `;
  return new AuthError('CONFIG_INVALID', `${where}${key} names ${path}, which ${problem}`, {
    ...(site.file === undefined ? {} : { file: site.file }),
    ...(site.profile === undefined ? {} : { profile: site.profile }),
    key,
    hint: `point ${key} at the PEM file of the CA that signed the server's certificate${site.file === undefined ? '' : ` (in ${site.file})`}`,
    ...(cause === undefined ? {} : { cause }),
  });
}
