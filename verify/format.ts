// How results look: one line per check (mark, title, figure), a hint line under a failure, a summary.
import { styleText } from 'node:util';
import type { CheckResult, Component, Status } from './check.ts';
import { COMPONENTS } from './check.ts';

export const MARKS: Record<Status, string> = { pass: '✓', fail: '✗', skip: '–' };
const COLORS = { pass: 'green', fail: 'red', skip: 'yellow' } as const;

export interface FormatOptions {
  /** Width the titles are padded to, so the figures line up. */
  titleWidth: number;
  color: boolean;
}

export function formatHeader(component: Component, options: Pick<FormatOptions, 'color'>): string {
  const title = COMPONENTS[component].title;
  return options.color ? styleText('bold', title, { validateStream: false }) : title;
}

/** "  ✓ title   figure" and, for a failure with a hint, "      ↳ hint" on the next line. */
export function formatResult(result: CheckResult, options: FormatOptions): string {
  const mark = options.color
    ? styleText(COLORS[result.status], MARKS[result.status], { validateStream: false })
    : MARKS[result.status];
  const title = result.check.title.padEnd(options.titleWidth);
  const figure = result.status === 'skip' ? `skipped: ${result.figure}` : result.figure;
  const line = `  ${mark} ${title}  ${figure}`;
  if (result.status !== 'fail' || !result.hint) return line;
  const hint = `      ↳ ${result.hint}`;
  return `${line}\n${options.color ? styleText('dim', hint, { validateStream: false }) : hint}`;
}

/** "verify: 17 passed, 1 failed, 2 skipped" */
export function formatSummary(results: readonly CheckResult[]): string {
  const count = (status: Status): number => results.filter((r) => r.status === status).length;
  return `verify: ${String(count('pass'))} passed, ${String(count('fail'))} failed, ${String(count('skip'))} skipped`;
}

/** Numbers as people read them: 12,345 / 41.5 / 0.25. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const digits = Math.abs(value) >= 100 || Number.isInteger(value) ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** "a 1 · b 2 · c 3" */
export function joinFigures(parts: readonly string[]): string {
  return parts.join(' · ');
}
