import { setTimeout as sleep } from 'node:timers/promises';
import type { KoaMiddleware } from './koa-middleware.js';
import { readForm } from './request-body.js';

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export interface GrantRecord {
  grant_type: string;
  status: number;
  /** When the request arrived, ms since the epoch. */
  at: number;
}

/** The failure knobs of one test IdP and what they observed. */
export class Knobs {
  latencyMs = 0;
  serving503 = false;
  slowDownRemaining = 0;
  #records: GrantRecord[] = [];

  constructor(readonly deviceInterval: number) {}

  record(grantType: string, status: number, at: number): void {
    this.#records.push({ grant_type: grantType, status, at });
  }

  grants(): GrantRecord[] {
    return this.#records.map((r) => ({ ...r })).sort((a, b) => a.at - b.at);
  }

  reset(): void {
    this.#records = [];
  }
}

interface Routes {
  token: string;
  deviceAuthorization: string;
}

type Ctx = Parameters<KoaMiddleware>[0];

function grantTypeSeenByProvider(ctx: Ctx): string {
  const oidc = (ctx as { oidc?: { body?: Record<string, unknown> } }).oidc;
  const grantType = oidc?.body?.['grant_type'];
  return typeof grantType === 'string' ? grantType : '';
}

/** Latency, outages, slow_down, the device `interval`, and grant counting, around oidc-provider. */
export function knobsMiddleware(knobs: Knobs, routes: Routes): KoaMiddleware {
  return async (ctx, next) => {
    const arrived = Date.now();
    if (knobs.latencyMs > 0) await sleep(knobs.latencyMs);
    const isTokenRequest = ctx.method === 'POST' && ctx.path === routes.token;

    if (knobs.serving503) {
      if (isTokenRequest) knobs.record((await readForm(ctx.req)).get('grant_type') ?? '', 503, arrived);
      ctx.status = 503;
      ctx.type = 'text';
      ctx.body = 'Service Unavailable (test IdP outage)\n';
      return;
    }

    if (isTokenRequest) {
      if (knobs.slowDownRemaining > 0) {
        // The grant type is in the body, so it has to be read here; oidc-provider
        // then takes the parsed form from `request.body` (and says so once).
        const form = await readForm(ctx.req);
        if (form.get('grant_type') === DEVICE_CODE_GRANT) {
          knobs.slowDownRemaining -= 1;
          ctx.status = 400;
          ctx.set('cache-control', 'no-store');
          ctx.body = { error: 'slow_down', error_description: 'polling too frequently (test IdP slowDownNext)' };
          knobs.record(DEVICE_CODE_GRANT, 400, arrived);
          return;
        }
        (ctx.request as { body?: unknown }).body = form.toString();
      }
      try {
        await next();
      } finally {
        knobs.record(grantTypeSeenByProvider(ctx), ctx.status, arrived);
      }
      return;
    }

    await next();
    // oidc-provider omits `interval` (RFC 8628 §3.2 makes it optional, default 5 s).
    if (ctx.method === 'POST' && ctx.path === routes.deviceAuthorization && ctx.status === 200 && typeof ctx.body === 'object') {
      ctx.body = { ...(ctx.body as object), interval: knobs.deviceInterval };
    }
  };
}
