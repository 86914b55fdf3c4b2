import * as oauth from 'oauth4webapi';
import type { Flow } from '../contracts/v1/flow.js';
import { scopeParameters } from './scope-parameters.js';
import { tokenGrant } from './token-grant.js';

/** RFC 6749 §4.4: a service account logs in with its own secret (kxi `--serviceaccount`). */
export const clientCredentialsFlow: Flow = {
  specificationVersion: 'v1',
  id: 'client-credentials',
  interactive: false,
  run: (ctx) =>
    tokenGrant(
      ctx,
      (options) => oauth.clientCredentialsGrantRequest(ctx.server, ctx.client, ctx.clientAuth, scopeParameters(ctx), options),
      (response) => oauth.processClientCredentialsResponse(ctx.server, ctx.client, response),
    ),
};
