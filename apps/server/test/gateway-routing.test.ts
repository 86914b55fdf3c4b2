import { describe, expect, test } from 'vitest';
import { TEST_SECRET, useGateway } from './support/gateway-server.js';

const its = useGateway((upstream) => ({
  upstream,
  metrics_listen: '127.0.0.1:0',
  routes: [
    { prefix: '/kapacitor/v1', provider: 'test-token', auth: { secret_env: 'TEST_GATEWAY_SECRET' } },
    { prefix: '/kapacitor/v1/ping', public: true },
    { prefix: '/open', public: true },
  ],
}));

describe('routes: the longest prefix wins, no route is 404', () => {
  test('a public route inside an authenticated one is served without credentials', async () => {
    expect((await fetch(`${its.gateway.url}/kapacitor/v1/ping`)).status).toBe(200);
    expect((await fetch(`${its.gateway.url}/kapacitor/v1/ping/deeper`)).status).toBe(200);
    expect(its.upstream.requests.map((r) => r.url)).toEqual(['/kapacitor/v1/ping', '/kapacitor/v1/ping/deeper']);
  });

  test('the authenticated route covers its prefix and what is below it, and nothing else', async () => {
    expect((await fetch(`${its.gateway.url}/kapacitor/v1`)).status).toBe(401);
    expect((await fetch(`${its.gateway.url}/kapacitor/v1/pingx`)).status).toBe(401);
    expect((await fetch(`${its.gateway.url}/kapacitor/v1/tasks`)).status).toBe(401);
    expect(its.upstream.requests).toEqual([]);
  });

  test('a path no route covers is 404 and never forwarded, not even a prefix\'s longer sibling', async () => {
    for (const path of ['/', '/kapacitor', '/kapacitor/v10/tasks', '/opener', '/metrics']) {
      const response = await fetch(`${its.gateway.url}${path}`, { headers: { authorization: `Token ${TEST_SECRET}` } });
      expect(response.status, path).toBe(404);
    }
    expect(its.upstream.requests).toEqual([]);
  });
});

describe('/metrics on metrics_listen (Prometheus text format)', () => {
  test('a scrape shows requests by route, method, status and decision, the upstream latency histogram, in-flight requests and the authenticators\' samples', async () => {
    await fetch(`${its.gateway.url}/open/a`);
    await fetch(`${its.gateway.url}/kapacitor/v1/tasks`, { headers: { authorization: `Token ${TEST_SECRET}` } });
    await fetch(`${its.gateway.url}/kapacitor/v1/tasks`, { headers: { authorization: 'Token wrong' } });
    await fetch(`${its.gateway.url}/kapacitor/v1/tasks`, { method: 'PROPFIND', headers: { authorization: `Token ${TEST_SECRET}` } });
    await fetch(`${its.gateway.url}/nowhere`);
    await fetch(`${its.gateway.url}/open/a%2fb`);

    const scrape = await fetch(its.gateway.gateway.metricsUrl!);
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await scrape.text();
    const sample = (line: string) => expect(text).toMatch(new RegExp(`^${line.replace(/[{}()|.*+?^$[\]\\]/g, '\\$&')} \\d+`, 'm'));
    sample('auth_server_gateway_requests_total{route="/open",method="GET",status="200",decision="allowed"}');
    sample('auth_server_gateway_requests_total{route="/kapacitor/v1",method="GET",status="200",decision="allowed"}');
    sample('auth_server_gateway_requests_total{route="/kapacitor/v1",method="GET",status="401",decision="denied"}');
    sample('auth_server_gateway_requests_total{route="/kapacitor/v1",method="other",status="405",decision="denied"}');
    sample('auth_server_gateway_requests_total{route="(none)",method="GET",status="404",decision="refused"}');
    sample('auth_server_gateway_requests_total{route="(none)",method="GET",status="400",decision="refused"}');
    expect(text).toMatch(/^auth_server_gateway_upstream_response_seconds_count\{route="\/open"\} 1$/m);
    expect(text).toMatch(/^auth_server_gateway_upstream_response_seconds_bucket\{le="\+Inf",route="\/kapacitor\/v1"\} 1$/m);
    expect(text).toMatch(/^auth_server_gateway_requests_in_flight 0$/m);
    expect(text).toContain('# TYPE auth_server_gateway_test_decisions_total counter');
    expect(text).toMatch(/^auth_server_gateway_test_decisions_total\{decision="allow",route="\/kapacitor\/v1"\} 1$/m);
    expect(text).toMatch(/^auth_server_gateway_test_decisions_total\{decision="deny",route="\/kapacitor\/v1"\} [1-9]\d*$/m);
    expect(text).toMatch(/^auth_server_process_cpu_seconds_total /m);
  });

  test('the metrics listener serves nothing but /metrics, and the gateway\'s listener never serves it', async () => {
    const base = its.gateway.gateway.metricsUrl!.replace(/\/metrics$/, '');
    expect((await fetch(`${base}/kapacitor/v1/ping`)).status).toBe(404);
    expect((await fetch(`${its.gateway.url}/metrics`)).status).toBe(404);
    expect(its.gateway.logs()).toContain('"event":"gateway.metrics_listening"');
  });
});
