/**
 * Reads one Secret Service item straight off the session bus socket,
 * asynchronously and within a time bound, so a stuck bus can neither hang
 * nor hold the process (the native keyring client blocks its thread):
 * SearchItems, OpenSession and Item.GetSecret of
 * https://specifications.freedesktop.org/secret-service-spec/latest/.
 * Only the plain case is answered: exactly one matching item, unlocked, so
 * nothing prompts. Everything else is `inconclusive`, for the caller's
 * bounded helper process to decide.
 *
 * Only the small part of the D-Bus wire protocol this needs is spoken
 * (https://dbus.freedesktop.org/doc/dbus-specification.html: SASL EXTERNAL,
 * Hello, three method calls and their replies): a D-Bus client library costs
 * more start-up time than the whole read. Zod-free: `print-token` imports it.
 */
import { connect } from 'node:net';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export type SecretServiceVerdict =
  /** Exactly one matching item, unlocked: its secret. */
  | { secret: string }
  /** No item, a locked one, no Secret Service, an error reply or a bus we cannot reach: let the helper decide. */
  | 'inconclusive'
  /** The bus accepted the connection and did not answer within the bound. */
  | 'timeout';

/** A reply bigger than this is not the short one we expect. */
const MAX_REPLY_BYTES = 64 * 1024;

const HELLO_SERIAL = 1;
const SEARCH_SERIAL = 2;
const SESSION_SERIAL = 3;
const SECRET_SERIAL = 4;

/** The session bus socket, as libdbus finds it; undefined for transports other than a unix socket. */
export function sessionBusSocket(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const address = env.DBUS_SESSION_BUS_ADDRESS;
  if (!address) {
    const fallback = env.XDG_RUNTIME_DIR && join(env.XDG_RUNTIME_DIR, 'bus');
    return fallback && existsSync(fallback) ? fallback : undefined;
  }
  // Only the first of several `;`-separated addresses, and only unix:path= / unix:abstract=.
  const [transport, params = ''] = address.split(';')[0]!.split(/:(.*)/s);
  if (transport !== 'unix') return undefined;
  const values = new Map(params.split(',').map((pair) => pair.split(/=(.*)/s) as [string, string]));
  try {
    if (values.has('path')) return decodeURIComponent(values.get('path')!);
    if (values.has('abstract')) return `\0${decodeURIComponent(values.get('abstract')!)}`;
  } catch {
    // A malformed %-escape: not an address we can use; the helper's libdbus decides.
  }
  return undefined;
}

/** Reads the secret of the item of `service`/`account` from the Secret Service on `socketPath`, within `timeoutMs`. */
export function readSecretServiceItem(socketPath: string, service: string, account: string, timeoutMs: number): Promise<SecretServiceVerdict> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    let settled = false;
    const finish = (verdict: SecretServiceVerdict) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(verdict);
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.on('error', () => finish('inconclusive'));
    socket.on('close', () => finish('inconclusive'));

    let authenticated = false;
    let item: string | undefined;
    let session: string | undefined;
    let asked = false;
    let buffered = Buffer.alloc(0);
    socket.on('connect', () => {
      const uid = String(process.getuid?.() ?? '');
      socket.write(`\0AUTH EXTERNAL ${Buffer.from(uid).toString('hex')}\r\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length > MAX_REPLY_BYTES) return finish('inconclusive');
      if (!authenticated) {
        const end = buffered.indexOf('\r\n');
        if (end < 0) return;
        if (!buffered.subarray(0, end).toString('latin1').startsWith('OK ')) return finish('inconclusive');
        buffered = buffered.subarray(end + 2);
        authenticated = true;
        // Hello must be the first call on a connection; the others may follow without waiting for its reply.
        // The session is `plain`: the secret crosses only this user's bus socket, as it does for the native client's bus.
        socket.write(
          Buffer.concat([
            Buffer.from('BEGIN\r\n'),
            methodCall(HELLO_SERIAL, 'org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus', 'Hello'),
            methodCall(SEARCH_SERIAL, SECRETS, '/org/freedesktop/secrets', 'org.freedesktop.Secret.Service', 'SearchItems', 'a{ss}', (body) =>
              body.dict({ service, username: account }),
            ),
            methodCall(SESSION_SERIAL, SECRETS, '/org/freedesktop/secrets', 'org.freedesktop.Secret.Service', 'OpenSession', 'sv', (body) => {
              body.string('plain');
              body.signature('s');
              body.string('');
            }),
          ]),
        );
      }
      try {
        let message;
        while ((message = nextMessage(buffered)) !== undefined) {
          buffered = buffered.subarray(message.length);
          const serial = message.replySerial;
          if (serial !== SEARCH_SERIAL && serial !== SESSION_SERIAL && serial !== SECRET_SERIAL) continue;
          if (message.type !== METHOD_RETURN) return finish('inconclusive');
          if (serial === SEARCH_SERIAL) {
            const unlocked = objectPaths(message);
            const locked = objectPaths(message);
            // None, several, or a locked one: what the native client would do (prompt, choose) is its business.
            if (unlocked.length !== 1 || locked.length !== 0) return finish('inconclusive');
            item = unlocked[0];
          } else if (serial === SESSION_SERIAL) {
            session = sessionPath(message);
          } else {
            return finish({ secret: secretValue(message) });
          }
          if (item !== undefined && session !== undefined && !asked) {
            asked = true;
            socket.write(methodCall(SECRET_SERIAL, SECRETS, item, 'org.freedesktop.Secret.Item', 'GetSecret', 'o', (body) => body.string(session!)));
          }
        }
      } catch {
        // A reply we cannot read (out of range): not the one we asked for.
        finish('inconclusive');
      }
    });
  });
}

const SECRETS = 'org.freedesktop.secrets';
const METHOD_CALL = 1;
const METHOD_RETURN = 2;
/** Never start a Secret Service to answer: one started now would be a second, locked one. */
const NO_AUTO_START = 0x2;

/** A little-endian D-Bus message buffer under construction; offsets count from the message start, as alignment does. */
class Writer {
  private bytes: number[] = [];
  get length(): number {
    return this.bytes.length;
  }
  align(n: number): void {
    while (this.bytes.length % n !== 0) this.bytes.push(0);
  }
  byte(value: number): void {
    this.bytes.push(value);
  }
  uint32(value: number): void {
    this.align(4);
    this.bytes.push(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff);
  }
  setUint32(at: number, value: number): void {
    this.bytes.splice(at, 4, value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff);
  }
  string(value: string): void {
    const utf8 = Buffer.from(value, 'utf8');
    this.uint32(utf8.length);
    this.bytes.push(...utf8, 0);
  }
  signature(value: string): void {
    this.byte(value.length);
    this.bytes.push(...Buffer.from(value, 'latin1'), 0);
  }
  /** An `a{ss}`. */
  dict(entries: Record<string, string>): void {
    this.uint32(0);
    const lengthAt = this.length - 4;
    this.align(8);
    const entriesAt = this.length;
    for (const [key, value] of Object.entries(entries)) {
      this.align(8);
      this.string(key);
      this.string(value);
    }
    this.setUint32(lengthAt, this.length - entriesAt);
  }
  buffer(): Buffer {
    return Buffer.from(this.bytes);
  }
}

function methodCall(
  serial: number,
  destination: string,
  path: string,
  iface: string,
  member: string,
  signature?: string,
  writeBody?: (body: Writer) => void,
): Buffer {
  const message = new Writer();
  message.byte('l'.charCodeAt(0));
  message.byte(METHOD_CALL);
  message.byte(NO_AUTO_START);
  message.byte(1);
  message.uint32(0); // body length, set below
  message.uint32(serial);
  const fieldsAt = message.length;
  message.uint32(0); // header fields' length, set below
  const field = (code: number, type: string, write: () => void) => {
    message.align(8);
    message.byte(code);
    message.signature(type);
    write();
  };
  field(1, 'o', () => message.string(path));
  field(2, 's', () => message.string(iface));
  field(3, 's', () => message.string(member));
  field(6, 's', () => message.string(destination));
  if (signature !== undefined) field(8, 'g', () => message.signature(signature));
  message.setUint32(fieldsAt, message.length - fieldsAt - 4);
  message.align(8);
  const bodyAt = message.length;
  writeBody?.(message);
  message.setUint32(4, message.length - bodyAt);
  return message.buffer();
}

interface Message {
  type: number;
  replySerial?: number;
  /** The whole message's length in the buffer. */
  length: number;
  body: Buffer;
  /** Where the next body value is read from. */
  at: number;
  /** Reads a uint32 in the message's byte order. */
  uint32(buffer: Buffer, at: number): number;
}

const align = (offset: number, n: number) => Math.ceil(offset / n) * n;

/** The first complete message in `buffer`, or undefined until it has all arrived. */
function nextMessage(buffer: Buffer): Message | undefined {
  if (buffer.length < 16) return undefined;
  const littleEndian = buffer[0] === 'l'.charCodeAt(0);
  const uint32 = (b: Buffer, at: number) => (littleEndian ? b.readUInt32LE(at) : b.readUInt32BE(at));
  const bodyLength = uint32(buffer, 4);
  const fieldsLength = uint32(buffer, 12);
  const bodyAt = align(16 + fieldsLength, 8);
  const length = bodyAt + bodyLength;
  if (buffer.length < length) return undefined;
  let replySerial: number | undefined;
  let at = 16;
  while (at < 16 + fieldsLength) {
    at = align(at, 8);
    const code = buffer[at]!;
    const signatureLength = buffer[at + 1]!;
    const type = String.fromCharCode(buffer[at + 2]!);
    at += 2 + signatureLength + 1;
    if (type === 'u' || type === 's' || type === 'o') {
      at = align(at, 4);
      const value = uint32(buffer, at);
      if (code === 5) replySerial = value;
      at += 4 + (type === 'u' ? 0 : value + 1);
    } else if (type === 'g') {
      at += 1 + buffer[at]! + 1;
    } else {
      // A header field type we do not read: its length is unknown, so the rest is unreadable.
      return { type: -1, length, body: Buffer.alloc(0), at: 0, uint32 };
    }
  }
  return { type: buffer[1]!, replySerial, length, body: buffer.subarray(bodyAt, length), at: 0, uint32 };
}

// Body readers: each reads the next value of a reply and moves `at` past it.
// The body starts 8-aligned in the message, so alignment counts from it.

function readString(message: Message): string {
  message.at = align(message.at, 4);
  const length = message.uint32(message.body, message.at);
  const value = message.body.toString('utf8', message.at + 4, message.at + 4 + length);
  message.at += 4 + length + 1;
  return value;
}

function readBytes(message: Message): Buffer {
  message.at = align(message.at, 4);
  const length = message.uint32(message.body, message.at);
  const start = message.at + 4;
  if (start + length > message.body.length) throw new RangeError('array past the end of the message');
  message.at = start + length;
  return message.body.subarray(start, start + length);
}

/** An `ao`: SearchItems answers two, the unlocked items and the locked ones. */
function objectPaths(message: Message): string[] {
  message.at = align(message.at, 4);
  const end = message.at + 4 + message.uint32(message.body, message.at);
  message.at += 4;
  const paths: string[] = [];
  while (message.at < end) paths.push(readString(message));
  return paths;
}

/** OpenSession's `vo`: the (empty, for `plain`) output, then the session's path. */
function sessionPath(message: Message): string {
  const signatureLength = message.body[0]!;
  if (message.body.toString('latin1', 1, 1 + signatureLength) !== 's') throw new RangeError('unexpected OpenSession output');
  message.at = 1 + signatureLength + 1;
  readString(message);
  return readString(message);
}

/** GetSecret's `(oayays)`: session, parameters (empty for `plain`), value, content type. */
function secretValue(message: Message): string {
  readString(message);
  readBytes(message);
  return readBytes(message).toString('utf8');
}
