// Everything one run measured, as the report and the charts read it.
import type { CapacityStep } from './capacity.ts';
import type { CostRun } from './cost.ts';
import type { Footprint } from './footprint.ts';
import type { FreshnessSample, Signal } from './freshness.ts';
import type { CpuSplit } from './lib/cpu.ts';
import type { Machine } from './lib/machine.ts';
import type { OverheadCell } from './overhead.ts';
import type { RestartRow } from './restarts.ts';
import type { SloRun } from './slo.ts';
import type { UpSample } from './startup.ts';

export interface FreshnessRun {
  /** e.g. "1 VU" */
  load: string;
  vus: number;
  samples: FreshnessSample[];
  /** Signals not measured, with why (a backend native:up left out). */
  skipped?: Partial<Record<Signal, string>>;
}

export interface Settings {
  freshnessPerService: number;
  /** A probe not seen within this is counted as never arrived. */
  freshnessTimeoutS: number;
  /** How long to wait for the Jaeger exporter's queue to empty after a capacity step. */
  capacityDrainS: number;
  footprintWindowS: number;
  /** Freshness cost: settle time after each restart, then the measured window. */
  costSettleS: number;
  costWindowS: number;
  overheadRounds: number;
  /** Warm-up of each instance before its rounds (discarded). */
  overheadWarmupS: number;
  overheadDurationS: number;
  capacityStepS: number;
  capacityRates: readonly number[];
  warmStarts: number;
  /** The restart matrix: which components, which ways of stopping, how long down. */
  restartComponents: readonly string[];
  restartModes: readonly string[];
  restartDownS: number;
  /** SLO alerts: fault/clear cycles, and the give-up of each wait in one. */
  sloCycles: number;
  sloTimeoutS: number;
}

export interface Results {
  mode: 'quick' | 'full';
  startedAt: Date;
  totalMs: number;
  machine: Machine;
  settings: Settings;
  up: UpSample[];
  /** What native:up left out of the lab, with why (Tempo when no binary was supplied). */
  leftOut: Record<string, string>;
  /** Why there is no cold start (quick mode). */
  coldSkipped: string | undefined;
  freshness: FreshnessRun[];
  footprint: Footprint[];
  /** The freshness settings' cost: the three components with upstream defaults, then as the lab sets them. */
  cost: CostRun[];
  /** Summaries of the background load runs (native/load.ts), by load label. */
  loadSummaries: Record<string, string>;
  overhead: OverheadCell[];
  /** The CPU the overhead runs gave the service under test, and the rest (undefined: not isolated). */
  overheadCpus: CpuSplit | undefined;
  capacity: CapacityStep[];
  /** The restart matrix, one row per component and way of stopping. */
  restarts: RestartRow[];
  /** The SLO page under the scenario's fault, and the rules' evaluation cost (undefined: not run). */
  slo: SloRun | undefined;
}
