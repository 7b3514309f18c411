import type { Server } from 'node:http';
import { ConfigError } from './config';

/** The services listen on every IPv4 interface: a container's own address, and 127.0.0.1 natively. */
export const LISTEN_HOST = '0.0.0.0';

/** Prints why the service cannot start, each configuration problem on its own line, and exits with 1. */
export function exitOnStartupError(service: string, error: unknown): never {
  if (error instanceof ConfigError) {
    for (const problem of error.problems) console.error(`${service}: configuration error: ${problem}`);
  } else {
    console.error(`${service}: failed to start:`, error);
  }
  process.exit(1);
}

/**
 * Runs `close` (a server's or a framework's close) while dropping every keep-alive connection as soon as
 * it is idle. A connection whose request ends during the close would otherwise hold the close open for
 * the keep-alive timeout (Fastify's is 72 s), since neither Node nor the frameworks drop it then.
 */
export async function dropIdleConnectionsWhile<T>(server: Server, close: () => Promise<T>): Promise<T> {
  const sweep = setInterval(() => {
    server.closeIdleConnections();
  }, 50);
  try {
    const closing = close();
    server.closeIdleConnections();
    return await closing;
  } finally {
    clearInterval(sweep);
  }
}

/** Closes a node:http server: no new connections; resolves once the requests in flight are answered. */
export function closeHttpServer(server: Server): Promise<void> {
  return dropIdleConnectionsWhile(
    server,
    () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
      }),
  );
}
