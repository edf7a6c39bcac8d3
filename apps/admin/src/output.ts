/**
 * What a command prints. The result goes to stdout, as JSON with `--json` (one document, so
 * scripts can pipe it to jq) or as text; notes and errors go to stderr so stdout stays parseable.
 */
export type Output = {
  readonly json: boolean;
  result(value: unknown, text: string | string[]): void;
  note(line: string): void;
  error(line: string): void;
};

export type Sinks = { stdout: (chunk: string) => void; stderr: (chunk: string) => void };

export function createOutput(json: boolean, sinks: Sinks): Output {
  return {
    json,
    result(value, text) {
      if (json) sinks.stdout(`${JSON.stringify(value, null, 2)}\n`);
      else {
        const lines = typeof text === 'string' ? [text] : text;
        if (lines.length > 0) sinks.stdout(`${lines.join('\n')}\n`);
      }
    },
    note: (line) => sinks.stderr(`${line}\n`),
    error: (line) => sinks.stderr(`${line}\n`),
  };
}

/** Aligned columns for human output; JSON output never goes through this. */
export function formatTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

export const isoOrDash = (date: Date | null | undefined): string => (date ? date.toISOString() : '-');
