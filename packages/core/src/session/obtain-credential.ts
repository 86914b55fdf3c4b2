import type { LoginFlowId } from '../config/types.js';
import type { LoginOptions } from '../contracts/flow.js';
import { getFlow } from '../flows/index.js';
import { tokenSubject } from '../flows/token-response.js';
import type { OAuthCredential } from '../token-set.js';
import { loginFlowContext } from './flow-context.js';
import { serverRef } from './resolve-server.js';
import type { SessionContext } from './types.js';

/** Runs a login flow and describes its result as a credential, without storing it. */
export async function obtainCredential(ctx: SessionContext, flow: LoginFlowId, options?: LoginOptions): Promise<OAuthCredential> {
  const flowContext = await loginFlowContext(ctx, flow, options);
  const tokens = await getFlow(flow).run(flowContext);
  const subject = ctx.provider.oauth?.subject?.(tokens) ?? tokenSubject(tokens);
  return {
    kind: 'oauth',
    tokens,
    flow,
    client_id: flowContext.client.client_id,
    server: serverRef(flowContext.server),
    ...(subject === undefined ? {} : { subject }),
  };
}
