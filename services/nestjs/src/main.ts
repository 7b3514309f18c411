import type { Server } from 'node:http';
import {
  LISTEN_HOST,
  closeHttpServer,
  exitOnStartupError,
  installGracefulShutdown,
  loadConfig,
  startFaults,
} from '@lab/common';
import { SERVICE, buildApp } from './app';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await buildApp(config, undefined, startFaults(SERVICE, config.faultsFile));
  await app.listen(config.port, LISTEN_HOST);
  console.log(`${SERVICE}: listening on ${LISTEN_HOST}:${String(config.port)}`);
  // Not app.enableShutdownHooks(): Nest would re-raise the signal after closing and cut the span flush short.
  installGracefulShutdown({
    name: SERVICE,
    close: async () => {
      await closeHttpServer(app.getHttpServer() as Server);
      await app.close(); // lifecycle hooks; the server is already closed
    },
  });
}

main().catch((error: unknown) => exitOnStartupError(SERVICE, error));
