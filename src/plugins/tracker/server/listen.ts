import type { Server } from 'node:net';
import { TrackerError } from '../errors.js';

/** Binds `server`; a failure rejects with a TrackerError saying why in words a person can act on. */
export function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(
        new TrackerError('TRACKER_LISTEN_FAILED', `the tracker cannot listen on ${host}:${port}: ${listenFailure(err)}`, {
          host,
          port,
          cause: err.code ?? err.message,
        }),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function listenFailure(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'EADDRINUSE':
      return 'the port is already in use (is another tracker running?)';
    case 'EADDRNOTAVAIL':
      return "that address is not one of this machine's (EADDRNOTAVAIL)";
    case 'EACCES':
      return 'permission denied (ports below 1024 need privileges)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve';
    default:
      return err.code ?? err.message;
  }
}
