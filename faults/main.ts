// npm run fault (docker compose run --rm fault) — switches run-time faults of the lab's services on and off (docs/scenarios.md).
//
// It writes faults/state/faults.json; the services poll that file once a second and apply what concerns them
// (services/common/src/faults.ts). Why a file: the services' zero-code instrumentation traces every HTTP
// server in the process and offers no environment setting to leave an admin port out, so an admin endpoint
// would show up in the traces and span metrics it is meant to disturb. A file creates no spans, needs no port
// (nothing outside the lab can reach it), and is the same file in both labs: docker-compose.yaml mounts
// faults/state read-only into each service container, and the native lab's services read the repository's
// folder itself.
//
// A command is checked in full before the file is touched: bad input prints what is wrong and changes nothing
// (exit code 2). The file is replaced atomically (written beside it, then renamed), so a service never reads
// half of it.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENDPOINTS } from '../k6/plan.ts';
import { loadCompose } from '../verify/compose.ts';
import { APP_SERVICES, chainTargets } from '../verify/lab.ts';
import { toolCommand, toolName } from '../verify/tool-command.ts';
import {
  usage,
  UsageError,
  applyCommand,
  describeFault,
  deserialize,
  formatList,
  parseCommand,
  serialize,
  type Fault,
  type Lab,
} from './command.ts';

/** The folder docker-compose.yaml mounts at /app/faults/state (read-only) in every service container. */
export const FAULTS_DIR = fileURLToPath(new URL('state/', import.meta.url));
/** The file the services read (their FAULTS_FILE). */
export const FAULTS_FILE = path.join(FAULTS_DIR, 'faults.json');

/** The services, routes and /chain targets the command accepts, from the lab's own definitions. */
export function labFromCompose(): Lab {
  const compose = loadCompose();
  return {
    services: APP_SERVICES,
    routes: [...new Set(ENDPOINTS.map((endpoint) => endpoint.route))],
    chainTargets: Object.fromEntries(APP_SERVICES.map((name) => [name, chainTargets(compose, name)])),
  };
}

export interface Io {
  /** How the tool was started (verify/tool-command.ts): its help and errors give commands the same way. */
  readonly command: string;
  readonly file: string;
  readonly lab: Lab;
  readonly now: () => Date;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

function readFaults(file: string, command: string): Fault[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  try {
    return deserialize(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `${file} is not a fault file this command can read (${reason}); \`${command} clear\` starts over`,
      { cause: error },
    );
  }
}

function writeFaults(file: string, faults: readonly Fault[]): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${String(process.pid)}.tmp`);
  // 0644: the services run as another user (the image's `node`) and must be able to read it.
  writeFileSync(temporary, serialize(faults), { mode: 0o644 });
  renameSync(temporary, file);
}

/** Runs one command; returns the exit code (0 done, 1 the file could not be read or written, 2 bad input). */
export function run(argv: readonly string[], io: Io): number {
  let command;
  try {
    command = parseCommand(argv, io.lab);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${toolName(io.command)}: ${error.message}. Nothing changed.`);
    io.err(`Usage: ${io.command} help`);
    return 2;
  }
  try {
    if (command.kind === 'help') {
      io.out(usage(io.command));
      return 0;
    }
    // `clear` with nothing selected starts over, whatever the file holds.
    const startOver = command.kind === 'clear' && command.service === undefined;
    const current = startOver ? [] : readFaults(io.file, io.command);
    if (command.kind === 'list') {
      io.out(formatList(current));
      return 0;
    }
    const change = applyCommand(command, current, io.now());
    if (startOver) {
      writeFaults(io.file, []);
      io.out('All faults cleared: the lab runs normally (the services follow within a second).');
      return 0;
    }
    writeFaults(io.file, change.faults);
    if (command.kind === 'set') {
      const replaced =
        change.removed.length > 0 ? ` (replaces ${describeFault(change.removed[0] as Fault)})` : '';
      io.out(`Switched on: ${describeFault(command.fault)}${replaced}. The services follow within a second.`);
    } else if (change.removed.length === 0) {
      io.out('No fault matched: nothing to clear.');
    } else {
      io.out(`Cleared: ${change.removed.map(describeFault).join('; ')}.`);
    }
    io.out(formatList(change.faults));
    return 0;
  } catch (error) {
    io.err(`${toolName(io.command)}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (import.meta.main) {
  process.exitCode = run(process.argv.slice(2), {
    command: toolCommand('fault'),
    file: FAULTS_FILE,
    lab: labFromCompose(),
    now: () => new Date(),
    out: (line) => {
      console.log(line);
    },
    err: (line) => {
      console.error(line);
    },
  });
}
