import type { FlowContext } from '../contracts/v1/flow.js';

/** `scope` (when any) plus the profile's extra parameters, for authorization, device and grant requests. */
export function scopeParameters(ctx: Pick<FlowContext, 'scopes' | 'parameters'>): Record<string, string> {
  return { ...(ctx.scopes.length > 0 ? { scope: ctx.scopes.join(' ') } : {}), ...ctx.parameters };
}
