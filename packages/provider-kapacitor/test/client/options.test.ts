import { describe, expect, it } from 'vitest';
import { kapacitorOptions } from '../../src/client/options.js';

describe('Kapacitor profile options', () => {
  it('url is the server origin: http(s)://host:port, no path (the kapacitor CLI replaces it), query or fragment', () => {
    for (const url of ['http://localhost:9092', 'https://kapacitor.example.com', 'https://kapacitor.example.com:9092/']) {
      expect(kapacitorOptions.safeParse({ url }).success, url).toBe(true);
    }
    for (const url of ['localhost:9092', 'ftp://localhost:9092', 'http://localhost:9092/kapacitor/v1', 'http://localhost:9092?x=1', 'http://localhost:9092#f', undefined]) {
      const parsed = kapacitorOptions.safeParse({ url });
      expect(parsed.success, String(url)).toBe(false);
      expect(parsed.error?.issues[0]?.message).toMatch(/^must be the Kapacitor server as http\(s\):\/\/host:port/);
    }
  });
});
