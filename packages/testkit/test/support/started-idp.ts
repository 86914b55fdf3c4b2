import { startTestIdP, type TestIdP, type TestIdPOptions } from '../../src/index.js';
import { discover, type oauth } from './oauth-client.js';

/** A started test IdP and its discovered metadata, as a test file's beforeAll needs them. */
export async function startedIdP(options?: TestIdPOptions): Promise<{ idp: TestIdP; as: oauth.AuthorizationServer }> {
  const idp = await startTestIdP(options);
  return { idp, as: await discover(idp) };
}
