import { afterEach, describe, expect, it } from 'vitest';
import { guardDrainedLoop } from '../src/drained-loop.js';
import { pendingRequests, trackRequests } from '../src/http/pending-requests.js';

let standDown: (() => void) | undefined;
afterEach(() => standDown?.());

describe('a command the event loop ran out on is never a silent success', () => {
  it('with a request pending: NETWORK (exit 5) naming the command and the URL, without its credentials', async () => {
    let release!: () => void;
    const stuck = trackRequests(() => new Promise<Response>((resolve) => (release = () => resolve(new Response('{}')))));
    const request = stuck('https://user:secret@idp.example.com/token');
    const reported: unknown[] = [];
    standDown = guardDrainedLoop(() => 'print-token', pendingRequests, (error) => reported.push(error));

    process.emit('beforeExit', 0);

    expect(reported).toEqual([
      expect.objectContaining({
        code: 'NETWORK',
        message: 'authctl print-token got no answer from https://idp.example.com/token: the request was left pending',
        details: expect.objectContaining({ url: 'https://idp.example.com/token' }),
      }),
    ]);
    release();
    await request;
    expect(pendingRequests()).toEqual([]);
  });

  it('with nothing pending: INTERNAL (exit 1), never exit 0', () => {
    const reported: unknown[] = [];
    standDown = guardDrainedLoop(() => 'login', () => [], (error) => reported.push(error));

    process.emit('beforeExit', 0);

    expect(reported).toEqual([expect.objectContaining({ code: 'INTERNAL', message: expect.stringContaining('authctl login stopped before it finished') })]);
  });

  it('stood down once the command has finished: a later drain is not reported', () => {
    const reported: unknown[] = [];
    guardDrainedLoop(() => 'status', () => [], (error) => reported.push(error))();

    process.emit('beforeExit', 0);

    expect(reported).toEqual([]);
  });
});
