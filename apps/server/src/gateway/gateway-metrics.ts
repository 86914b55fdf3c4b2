import type { GatewayMetric } from '@auth/core';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Every gateway metric's name starts with this; an authenticator's samples get it too. */
export const METRIC_PREFIX = 'auth_server_gateway_';

/** How a request ended: forwarded, refused by its provider, refused before any provider, or the provider failed. */
export type Decision = 'allowed' | 'denied' | 'refused' | 'error';

/** Label for requests that matched no route (hygiene refusals and 404s): bounded, never the client's path. */
export const NO_ROUTE = '(none)';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export interface AuthenticatorSamples {
  route: string;
  metrics(): readonly GatewayMetric[];
}

/** The gateway's Prometheus registry (prom-client), with the authenticators' own samples read on each scrape. */
export class GatewayMetrics {
  readonly contentType: string;
  private readonly registry = new Registry();
  private readonly requests = new Counter({
    name: `${METRIC_PREFIX}requests_total`,
    help: 'Requests the gateway answered, by route prefix, method, status and decision.',
    labelNames: ['route', 'method', 'status', 'decision'] as const,
    registers: [this.registry],
  });
  private readonly inFlight = new Gauge({
    name: `${METRIC_PREFIX}requests_in_flight`,
    help: 'Requests being authenticated or forwarded now.',
    registers: [this.registry],
  });
  private readonly upstreamSeconds = new Histogram({
    name: `${METRIC_PREFIX}upstream_response_seconds`,
    help: 'Time from forwarding a request to the upstream\'s response headers.',
    labelNames: ['route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  constructor(
    private readonly authenticators: readonly AuthenticatorSamples[],
    private readonly onSampleError: (route: string, error: unknown) => void,
  ) {
    this.contentType = this.registry.contentType;
    collectDefaultMetrics({ register: this.registry, prefix: 'auth_server_' });
  }

  started(): () => void {
    this.inFlight.inc();
    let ended = false;
    return () => {
      if (!ended) this.inFlight.dec();
      ended = true;
    };
  }

  answered(route: string, method: string, status: number, decision: Decision): void {
    this.requests.inc({ route, method: METHODS.has(method) ? method : 'other', status: String(status), decision });
  }

  upstreamResponded(route: string, seconds: number): void {
    this.upstreamSeconds.observe({ route }, seconds);
  }

  /** The Prometheus text exposition (format 0.0.4) of everything. */
  async scrape(): Promise<string> {
    return (await this.registry.metrics()) + this.authenticatorText();
  }

  private authenticatorText(): string {
    const families = new Map<string, { help: string; type: string; lines: string[] }>();
    for (const { route, metrics } of this.authenticators) {
      let samples: readonly GatewayMetric[];
      try {
        samples = metrics();
      } catch (error) {
        this.onSampleError(route, error);
        continue;
      }
      for (const sample of samples) {
        const name = `${METRIC_PREFIX}${sample.name}`;
        const labels = { ...sample.labels, route };
        if (!METRIC_NAME.test(name) || !Object.keys(labels).every((label) => LABEL_NAME.test(label)) || !Number.isFinite(sample.value)) {
          this.onSampleError(route, new Error(`sample ${JSON.stringify(sample.name)} has an invalid name, label or value`));
          continue;
        }
        const family = families.get(name) ?? { help: sample.help, type: sample.type, lines: [] };
        families.set(name, family);
        const text = Object.entries(labels).map(([label, value]) => `${label}="${escapeLabel(value)}"`).join(',');
        family.lines.push(`${name}{${text}} ${sample.value}`);
      }
    }
    let out = '';
    for (const [name, { help, type, lines }] of families) {
      out += `# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${name} ${type}\n${lines.join('\n')}\n`;
    }
    return out;
  }
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}
