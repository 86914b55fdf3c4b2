import { describe, expect, it } from 'vitest';
import { sessionBusSocket } from '../../src/stores/secret-service-read.js';

describe('sessionBusSocket', () => {
  it('takes the unix path of DBUS_SESSION_BUS_ADDRESS, unescaped, ignoring its other keys and addresses', () => {
    expect(sessionBusSocket({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus,guid=abc;tcp:host=x' })).toBe('/run/user/1000/bus');
    expect(sessionBusSocket({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/tmp/a%20b' })).toBe('/tmp/a b');
  });

  it('an abstract socket becomes a NUL-prefixed name', () => {
    expect(sessionBusSocket({ DBUS_SESSION_BUS_ADDRESS: 'unix:abstract=/tmp/dbus-x,guid=1' })).toBe('\0/tmp/dbus-x');
  });

  it('other transports and malformed escapes give no socket: the helper decides', () => {
    expect(sessionBusSocket({ DBUS_SESSION_BUS_ADDRESS: 'tcp:host=127.0.0.1,port=1' })).toBeUndefined();
    expect(sessionBusSocket({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/tmp/%zz' })).toBeUndefined();
    expect(sessionBusSocket({ DBUS_SESSION_BUS_ADDRESS: 'unix:tmpdir=/tmp' })).toBeUndefined();
  });

  it('without DBUS_SESSION_BUS_ADDRESS, $XDG_RUNTIME_DIR/bus only when it exists', () => {
    expect(sessionBusSocket({ XDG_RUNTIME_DIR: '/nonexistent-authctl-runtime' })).toBeUndefined();
    expect(sessionBusSocket({})).toBeUndefined();
  });
});
