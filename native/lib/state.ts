// What `native:up` records about the running lab in .native/state.json (read by start, load, verify's native
// runs, the tests and the bench): when it started, each compose service's namespace address, and which
// services it left out, with why.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { stateFile } from './paths.ts';

export interface LabState {
  /** ISO time `native:up` began starting components. */
  started: string;
  /** Compose host name -> the address of its network namespace. */
  addresses: Record<string, string>;
  /** Compose service -> why the native lab does not run it (no recipe, or a part nobody supplied). */
  skipped: Record<string, string>;
  /** The parts a user supplied (native/lib/supplied.ts), so native:start runs the same ones again. */
  supplied: { tempo?: string; jaegerUi?: string };
}

export function labIsUp(): boolean {
  return existsSync(stateFile);
}

export function readState(): LabState {
  if (!labIsUp()) throw new Error('the native lab is not up: run `npm run native:up` first');
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as Partial<LabState>;
  return {
    started: state.started ?? '',
    addresses: state.addresses ?? {},
    skipped: state.skipped ?? {},
    supplied: state.supplied ?? {},
  };
}

export function writeState(state: LabState): void {
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
}

/** The namespace address of a compose service (what its compose host name resolves to in the lab). */
export function addressOf(service: string): string {
  const address = readState().addresses[service];
  if (address === undefined) throw new Error(`the native lab has no address for ${service}`);
  return address;
}
