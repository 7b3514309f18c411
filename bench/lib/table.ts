// One table, two renderings: aligned plain text for the terminal, Markdown for BENCHMARKS.md.

export interface Table {
  title: string;
  head: readonly string[];
  rows: readonly (readonly string[])[];
  /** Printed under the table (Markdown: a paragraph). */
  note?: string;
}

export function markdownTable(t: Table): string {
  const esc = (cell: string): string => cell.replaceAll('|', '\\|');
  const lines = [
    `| ${t.head.map(esc).join(' | ')} |`,
    `| ${t.head.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...t.rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ];
  return [`**${t.title}**`, '', ...lines, ...(t.note === undefined ? [] : ['', t.note])].join('\n');
}

export function textTable(table: Table): string {
  let t = table;
  const plain = (c: string): string => c.replaceAll('**', '');
  t = { ...t, rows: t.rows.map((r) => r.map(plain)) };
  const widths = t.head.map((h, i) => Math.max(h.length, ...t.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [
    `▸ ${t.title}`,
    line(t.head),
    ...t.rows.map(line),
    ...(t.note === undefined ? [] : [`  ${t.note}`]),
  ].join('\n');
}
