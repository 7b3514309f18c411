// Durations as the lab's tools take them on the command line: Go/Prometheus style "90s", "1m30s", "500ms".

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** Parses "90s", "2m", "1m30s", "1500ms", "1h"; a bare number is seconds. Returns milliseconds. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const parts = /^(?:(\d+(?:\.\d+)?)(ms|s|m|h))+$/.test(trimmed)
    ? trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)
    : null;
  if (!parts) throw new Error(`"${text}" is not a duration (examples: 90s, 2m, 1m30s, 500ms)`);
  let ms = 0;
  for (const [, amount, unit] of parts) ms += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  return Math.round(ms);
}

/** Short human form: 850ms, 12s, 1m30s, 2h5m. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${String(Math.round(ms))}ms`;
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${String(h)}h${m > 0 ? `${String(m)}m` : ''}`;
  if (m > 0) return `${String(m)}m${s > 0 ? `${String(s)}s` : ''}`;
  return `${String(s)}s`;
}
