/**
 * Kapacitor and InfluxDB are Go programs: their error bodies are `encoding/json`
 * output and their messages quote with `%q`. Both differ from JavaScript's
 * defaults in ways a byte-for-byte client would see, so they are reproduced here.
 */

/** `json.Marshal` of a string: like JSON.stringify, plus Go's HTML-safe escapes of `<`, `>`, `&`, U+2028 and U+2029. */
export function goJsonString(value: string): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const GO_ESCAPES: Readonly<Record<string, string>> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '"': '\\"',
  '\\': '\\\\',
};

/** `fmt.Sprintf("%q", s)` for the strings that reach an error body (paths, names, methods). */
export function goQuote(value: string): string {
  const quoted = value.replace(/[\x00-\x1f\x7f"\\]/g, (c) => GO_ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `"${quoted}"`;
}
