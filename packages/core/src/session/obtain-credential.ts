import type { LoginFlowId } from '../config/types.js';
import type { LoginOptions } from '../contracts/v1/flow.js';
import { getFlow } from '../flows/index.js';
import { tokenSubject } from '../flows/token-response.js';
import type { OAuthCredential, TokenSet } from '../token-set.js';
import { loginFlowContext } from './flow-context.js';
import { serverRef } from './resolve-server.js';
import type { SessionContext } from './types.js';

/**
 * Runs a login flow and describes its result as a credential. `settle`
 * (store it, ask first) runs before the flow tells the person the login is
 * complete (see FlowContext.complete); its result is returned.
 */
export async function obtainCredential(
  ctx: SessionContext,
  flow: LoginFlowId,
  options?: LoginOptions,
  settle: (credential: OAuthCredential) => Promise<OAuthCredential> = async (credential) => credential,
): Promise<OAuthCredential> {
  const flowContext = await loginFlowContext(ctx, flow, options);
  const describe = (tokens: TokenSet): OAuthCredential => {
    const subject = ctx.provider.oauth?.subject?.(tokens) ?? tokenSubject(tokens);
    return {
      kind: 'oauth',
      tokens,
      flow,
      client_id: flowContext.client.client_id,
      server: serverRef(flowContext.server),
      ...(subject === undefined ? {} : { subject }),
    };
  };
  let settled: OAuthCredential | undefined;
  const tokens = await getFlow(flow).run({
    ...flowContext,
    complete: async (obtained) => {
      settled = await settle(describe(obtained));
    },
  });
  return settled ?? settle(describe(tokens));
}
