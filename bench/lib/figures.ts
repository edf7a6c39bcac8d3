// What a bench run reports: figures (a value, its unit, the baseline it is compared with) and the
// bars each must clear. Bars are checked and printed, never enforced: CI runs the quick mode only
// as a smoke test on a shared machine.

export type Bar = { rule: string; pass: boolean };

export type Figure = {
  name: string;
  value: number;
  unit: string;
  /** `value / baseline.value`; what "x.xx× baseline" prints. */
  comparisons: Array<{ baseline: string; value: number; ratio: number }>;
  bars: Bar[];
  note?: string;
};

export class Report {
  readonly figures: Figure[] = [];
  readonly notes: string[] = [];

  add(figure: Omit<Figure, 'comparisons' | 'bars'> & { against?: Array<{ baseline: string; value: number }>; bars?: Bar[] }): Figure {
    const full: Figure = {
      name: figure.name,
      value: figure.value,
      unit: figure.unit,
      comparisons: (figure.against ?? []).map(({ baseline, value }) => ({ baseline, value, ratio: value === 0 ? Number.NaN : figure.value / value })),
      bars: figure.bars ?? [],
      ...(figure.note ? { note: figure.note } : {}),
    };
    this.figures.push(full);
    console.log(`  ${figureLine(full)}`);
    return full;
  }

  note(text: string): void {
    this.notes.push(text);
    console.log(`  note: ${text}`);
  }

  get failedBars(): Array<{ figure: string; rule: string }> {
    return this.figures.flatMap((figure) => figure.bars.filter((bar) => !bar.pass).map((bar) => ({ figure: figure.name, rule: bar.rule })));
  }
}

export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 1000 ? 0 : abs >= 100 ? 1 : abs >= 10 ? 2 : 3;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** `name: value unit (x.xx× baseline)`, then PASS/FAIL per bar. */
export function figureLine(figure: Figure): string {
  const ratios = figure.comparisons.map((c) => `${c.ratio.toFixed(2)}× ${c.baseline}`).join(', ');
  const bars = figure.bars.map((bar) => `${bar.pass ? 'PASS' : 'FAIL'} ${bar.rule}`).join('; ');
  return `${figure.name}: ${formatValue(figure.value)} ${figure.unit}${ratios ? ` (${ratios})` : ''}${bars ? ` [${bars}]` : ''}`;
}

export function renderTable(figures: readonly Figure[]): string {
  const rows = figures.map((figure) => [
    figure.name,
    `${formatValue(figure.value)} ${figure.unit}`,
    figure.comparisons.map((c) => `${c.ratio.toFixed(2)}× ${c.baseline}`).join(', ') || '—',
    figure.bars.map((bar) => `${bar.pass ? 'PASS' : 'FAIL'} ${bar.rule}`).join('; ') || '—',
  ]);
  const header = ['figure', 'value', 'vs baseline', 'bar'];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export const atLeast = (rule: string, actual: number, minimum: number): Bar => ({ rule, pass: actual >= minimum });
export const atMost = (rule: string, actual: number, maximum: number): Bar => ({ rule, pass: actual <= maximum });
