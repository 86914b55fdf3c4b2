import { readFileSync } from 'node:fs';
import { AuthError } from '../errors.js';

/** A client certificate and its private key, PEM files, presented to servers that ask for one (mutual TLS). */
export interface ClientCertificateFiles {
  certFile: string;
  keyFile: string;
}

/**
 * The PEM texts of a client certificate and its key. A file that is missing
 * or unreadable, or that holds no PEM block of the expected kind, is a
 * CONFIG_INVALID naming the path (never its content: the key is a secret).
 */
export function readClientCertificate(files: ClientCertificateFiles, profile?: string): { cert: string; key: string } {
  return {
    cert: readPem(files.certFile, /-----BEGIN CERTIFICATE-----/, 'PEM certificate', profile),
    key: readPem(files.keyFile, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'PEM private key', profile),
  };
}

function readPem(path: string, marker: RegExp, what: string, profile: string | undefined): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw certificateError(path, `cannot be read (${String((cause as { code?: unknown }).code ?? cause)})`, profile, cause);
  }
  if (!marker.test(text)) throw certificateError(path, `holds no ${what}`, profile);
  return text;
}

function certificateError(path: string, problem: string, profile: string | undefined, cause?: unknown): AuthError {
  return new AuthError('CONFIG_INVALID', `The client certificate file ${path} ${problem}`, {
    ...(profile === undefined ? {} : { profile }),
    hint: 'point the client certificate and key settings at the PEM files the server expects',
    ...(cause === undefined ? {} : { cause }),
  });
}
