import { AuthError } from '@auth/core';

/**
 * Node ends a process with exit 0 once nothing is left to wait for, even
 * when the command's own promise never settled (a request whose connection
 * vanished and whose timer does not hold the process). A command that did
 * not finish must not look like one that succeeded: `onDrained` gets the
 * error to report instead. Returns the function that stands the guard down.
 */
export function guardDrainedLoop(command: () => string, pending: () => string[], onDrained: (error: AuthError) => void): () => void {
  const guard = () => onDrained(unfinished(command(), pending()));
  process.once('beforeExit', guard);
  return () => process.off('beforeExit', guard);
}

function unfinished(command: string, urls: string[]): AuthError {
  const what = command === '' ? 'authctl' : `authctl ${command}`;
  if (urls.length === 0) {
    return new AuthError('INTERNAL', `${what} stopped before it finished, with nothing left to wait for`, {
      hint: 'this is a bug: run it again with AUTHCTL_DEBUG=1 and report what it prints',
    });
  }
  return new AuthError('NETWORK', `${what} got no answer from ${urls.join(', ')}: the request was left pending`, {
    url: urls[0]!,
    hint: 'check that the server is up and reachable; run the command again',
  });
}
