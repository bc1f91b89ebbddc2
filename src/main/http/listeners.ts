import type http from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * Opening and closing the gateway's listeners, and the one-line reasons a listen fails with: at start
 * they point at `--port`; on a rebind they say the gateway still serves where it was.
 */

/** Errors that mean this machine has no IPv6 loopback (not that the port is taken). */
export const NO_IPV6 = new Set(['EADDRNOTAVAIL', 'EAFNOSUPPORT']);

/** A failed listen: the one-line reason, and the system's code to decide on. */
export class ListenError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/**
 * Listens on one address. The message names what to do next: at start (`lenient`) the `--port` option;
 * on a rebind (`strict`) that the gateway still serves where it was.
 */
export function listenOn(
  server: http.Server,
  port: number,
  host: string,
  mode: 'lenient' | 'strict',
): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      const code = err.code ?? '';
      const message =
        mode === 'lenient'
          ? code === 'EADDRINUSE'
            ? `port ${port} on ${host} is already in use (pick another with --port, or --port 0 for any free one)`
            : `cannot listen on ${host}:${port}: ${err.message}`
          : code === 'EADDRINUSE'
            ? `port ${port} is in use (on ${host}); Sluice still listens where it was`
            : code === 'EACCES'
              ? `port ${port} needs privileges Sluice does not have (on ${host}); Sluice still listens where it was`
              : `cannot listen on ${host}:${port}: ${err.message}; Sluice still listens where it was`;
      reject(new ListenError(message, code));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Closes a listener; resolves once every connection it had is gone (at once when it never listened). */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
