import type { GatewayMetric } from '@auth/core/provider';

const HELP = {
  user_cache_hits_total: 'Users served from the user cache.',
  user_cache_misses_total: 'User lookups that were not in the user cache.',
  negative_cache_hits_total: 'Unknown users answered from the negative cache.',
  password_cache_hits_total: 'Passwords accepted by the salted SHA-256 fast path, without bcrypt.',
  bcrypt_checks_total: 'Passwords checked with bcrypt.',
  directory_calls_total: 'Calls to the user directory (user lookups and password checks).',
  directory_errors_total: 'Directory calls that failed (answered 503).',
} as const;

export type CounterName = keyof typeof HELP;

/** The authenticator's Prometheus counters, read on each scrape. */
export class Counters {
  readonly #values = new Map<CounterName, number>();

  add(name: CounterName): void {
    this.#values.set(name, (this.#values.get(name) ?? 0) + 1);
  }

  get(name: CounterName): number {
    return this.#values.get(name) ?? 0;
  }

  metrics(): GatewayMetric[] {
    return (Object.keys(HELP) as CounterName[]).map((name) => ({
      name: `kapacitor_${name}`,
      help: HELP[name],
      type: 'counter',
      value: this.get(name),
    }));
  }
}
