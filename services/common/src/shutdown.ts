/**
 * Graceful shutdown shared by the services: on SIGTERM or SIGINT stop accepting connections, let the
 * requests in flight finish, then run the signal listeners that were installed before (a preloaded
 * telemetry SDK flushes its spans on SIGTERM), and let the process end once nothing is left to do.
 *
 * Why the earlier listeners wait: the zero-code OpenTelemetry hook (`--require …/register`) shuts
 * its SDK down on SIGTERM but does not exit. Run at once, it would stop exporting before the
 * requests in flight end, and their spans would be lost; run after the server drained, it flushes
 * every span, and the process exits when the flush has released its last handle.
 */

export type ShutdownSignal = 'SIGTERM' | 'SIGINT';

export interface GracefulShutdownOptions {
  /** Stops accepting connections and resolves when the requests in flight have been answered. */
  readonly close: () => Promise<void>;
  /** Service name for the log lines. */
  readonly name: string;
  /** Deadline for draining and flushing; then the process exits with status 1. */
  readonly timeoutMs?: number;
  readonly signals?: readonly ShutdownSignal[];
  readonly log?: (message: string) => void;
}

/** Below Docker's default 10 s stop grace period, above /random_sleep's 5 s maximum. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 8000;

/** Installs the handlers; returns a function that starts the same shutdown (tests use it). */
export function installGracefulShutdown(
  options: GracefulShutdownOptions,
): (signal: ShutdownSignal) => Promise<void> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  const log =
    options.log ??
    ((message: string) => {
      console.log(message);
    });
  const deferred = new Map<ShutdownSignal, ((...args: unknown[]) => void)[]>();
  let started: Promise<void> | undefined;

  const shutdown = (signal: ShutdownSignal): Promise<void> => {
    started ??= (async () => {
      log(
        `${options.name}: ${signal} received, closing (requests in flight get up to ${String(timeoutMs)} ms)`,
      );
      const deadline = setTimeout(() => {
        log(`${options.name}: still busy after ${String(timeoutMs)} ms, exiting`);
        process.exit(1);
      }, timeoutMs);
      deadline.unref(); // never what keeps the process alive
      try {
        await options.close();
        log(`${options.name}: closed`);
      } catch (error) {
        log(`${options.name}: closing failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exitCode = 1;
      }
      for (const listener of deferred.get(signal) ?? []) listener(signal);
    })();
    return started;
  };

  for (const signal of options.signals ?? ['SIGTERM', 'SIGINT']) {
    const earlier = process.listeners(signal) as ((...args: unknown[]) => void)[];
    for (const listener of earlier) process.removeListener(signal, listener);
    deferred.set(signal, earlier);
    // `once`: a second signal gets Node's default action, so a second Ctrl+C still stops a stuck process.
    process.once(signal, () => void shutdown(signal));
  }
  return shutdown;
}
