// No end-to-end file can hang CI. Each file's tests and hooks are bounded by the test runner's own timeouts (a
// `timeout` on every top-level describe/test, and `--test-timeout` in package.json's test:e2e for hooks and the
// rest); when one fires, the runner fails that test with its name. What this module adds:
//   - what the file was waiting for when it stopped: long waits (polls, npm scripts, the restart rows) are
//     registered with `waitingFor`, and the file's last hook prints those still pending, with their age;
//   - the file's process ends: a timed-out test's awaits, timers and sockets can keep it alive (the runner
//     cancels the test, not its work), so once the file's tests are done it gets END_GRACE_MS to exit on its own,
//     then exits with a failure naming what still holds it open.
// --test-force-exit would end the files as well, but it also skips the global teardown (native:down).
import path from 'node:path';
import { after } from 'node:test';

/** How long a file's process may stay alive after its last test and hook before it is ended as hung. */
export const END_GRACE_MS = 60_000;

interface Wait {
  what: string;
  since: number;
}

const pending = new Set<Wait>();

/** Awaits `work`, registered as what this file is waiting for until it settles. */
export async function waitingFor<T>(what: string, work: Promise<T>): Promise<T> {
  const wait: Wait = { what, since: Date.now() };
  pending.add(wait);
  try {
    return await work;
  } finally {
    pending.delete(wait);
  }
}

/** The waits still pending, oldest first: "what (for 12 s)". */
export function pendingWaits(now = Date.now()): string[] {
  return [...pending]
    .sort((a, b) => a.since - b.since)
    .map((w) => `${w.what} (for ${String(Math.round((now - w.since) / 1000))} s)`);
}

/** The running test file, relative to the working directory (the runner starts each file in its own process). */
function fileName(): string {
  const file = process.argv[1];
  return file === undefined ? 'this test file' : path.relative(process.cwd(), file);
}

/** The report of a file whose tests ended with waits pending: empty when none is. */
export function pendingReport(file: string, waits: readonly string[]): string {
  if (waits.length === 0) return '';
  return `e2e ${file}: stopped while waiting for: ${waits.join('; ')}`;
}

/** The report of a file still alive `graceMs` after its last hook. */
export function hungReport(
  file: string,
  graceMs: number,
  waits: readonly string[],
  resources: readonly string[],
): string {
  const open = resources.filter((r) => r !== 'TTYWrap');
  return (
    `e2e ${file}: still running ${String(graceMs / 1000)} s after its last test, so it is ended as failed; ` +
    `waiting for: ${waits.length === 0 ? 'nothing registered' : waits.join('; ')}; ` +
    `open: ${open.length === 0 ? 'nothing' : open.join(', ')}`
  );
}

let armed = false;

/** Registers, once per file, the last hook that reports pending waits and ends a process that does not exit. */
export function endFileOnTime(graceMs = END_GRACE_MS): void {
  if (armed) return;
  armed = true;
  after(() => {
    const file = fileName();
    const report = pendingReport(file, pendingWaits());
    if (report !== '') console.error(report);
    setTimeout(() => {
      console.error(hungReport(file, graceMs, pendingWaits(), process.getActiveResourcesInfo()));
      process.exit(1);
    }, graceMs).unref();
  });
}
