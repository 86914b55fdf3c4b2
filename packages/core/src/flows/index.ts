import { AuthError } from '../errors.js';
import type { Flow } from '../contracts/v1/flow.js';
import type { FlowId } from '../token-set.js';
import { browserFlow } from './browser.js';
import { clientCredentialsFlow } from './client-credentials.js';
import { codeFlow } from './code.js';
import { deviceFlow } from './device.js';
import { passwordFlow } from './password.js';
import { refreshFlow } from './refresh.js';

export const flows: Readonly<Record<FlowId, Flow>> = Object.freeze({
  browser: browserFlow,
  code: codeFlow,
  device: deviceFlow,
  'client-credentials': clientCredentialsFlow,
  password: passwordFlow,
  refresh: refreshFlow,
});

export function getFlow(id: FlowId): Flow {
  const flow = Object.hasOwn(flows, id) ? flows[id] : undefined;
  if (flow === undefined) {
    throw new AuthError('USAGE', `Unknown login flow ${JSON.stringify(id)}`, {
      hint: `use one of: ${Object.keys(flows).filter((f) => f !== 'refresh').join(', ')}`,
    });
  }
  return flow;
}

export { discoverAuthorizationServer, explicitAuthorizationServer, type ExplicitEndpoints } from './authorization-server.js';
