/**
 * kubectl's exec credential plugin protocol (client.authentication.k8s.io,
 * "client-go credential plugins"): kubectl describes the call in
 * `KUBERNETES_EXEC_INFO` and reads one ExecCredential object from stdout.
 * Dependency-free: the start-up hot path answers with a fresh cached token.
 */

export const EXEC_CREDENTIAL_VERSIONS = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'] as const;
export type ExecCredentialVersion = (typeof EXEC_CREDENTIAL_VERSIONS)[number];

export interface ExecInfo {
  apiVersion: ExecCredentialVersion;
  /** `spec.interactive`: kubectl lets the plugin talk to the person; undefined when kubectl did not say. */
  interactive?: boolean;
}

/** What KUBERNETES_EXEC_INFO asks for, or what is wrong with it. Absent, it means v1. */
export function readExecInfo(env: NodeJS.ProcessEnv): { info: ExecInfo } | { problem: string } {
  const raw = env.KUBERNETES_EXEC_INFO;
  if (raw === undefined || raw.trim() === '') return { info: { apiVersion: EXEC_CREDENTIAL_VERSIONS[0] } };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { problem: 'KUBERNETES_EXEC_INFO is not JSON' };
  }
  const object = isObject(parsed) ? parsed : {};
  const apiVersion = object.apiVersion;
  if (!EXEC_CREDENTIAL_VERSIONS.includes(apiVersion as ExecCredentialVersion)) {
    return { problem: `KUBERNETES_EXEC_INFO asks for apiVersion ${JSON.stringify(apiVersion)}` };
  }
  const interactive = isObject(object.spec) ? object.spec.interactive : undefined;
  return {
    info: { apiVersion: apiVersion as ExecCredentialVersion, ...(typeof interactive === 'boolean' ? { interactive } : {}) },
  };
}

/** The ExecCredential kubectl reads: the token, and when it expires (RFC 3339, whole seconds) when known. */
export function execCredential(apiVersion: ExecCredentialVersion, token: string, expiresAt?: number): string {
  const status: Record<string, string> = { token };
  if (expiresAt !== undefined) status.expirationTimestamp = new Date(expiresAt * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `${JSON.stringify({ apiVersion, kind: 'ExecCredential', status })}\n`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
