/** The one table `npm run bench` ends with: every figure a benchmark's run() returned. */

/** What a benchmark's run() answers: its figures (numbers and flags), or only whether its targets were met. */
export type BenchOutcome = object | boolean;

export interface BenchRow {
  bench: string;
  outcome: BenchOutcome | Error;
}

function formatValue(value: number | boolean): string {
  if (typeof value === "boolean") return value ? "yes" : "NO";
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/** One line per figure (nested objects and lists are left to the bench's own output); a failed bench shows its error. */
export function summaryTable(rows: BenchRow[]): string {
  const lines: [string, string, string][] = [];
  for (const { bench, outcome } of rows) {
    if (outcome instanceof Error) lines.push([bench, "FAILED", outcome.message.split("\n")[0]]);
    else if (typeof outcome === "boolean") lines.push([bench, "met", formatValue(outcome)]);
    else {
      for (const [figure, value] of Object.entries(outcome)) {
        if (typeof value === "number" || typeof value === "boolean") lines.push([bench, figure, formatValue(value)]);
      }
    }
  }
  const header: [string, string, string] = ["bench", "figure", "value"];
  const widths = [0, 1, 2].map((column) => Math.max(...[header, ...lines].map((line) => line[column].length)));
  const format = (line: [string, string, string]) => line.map((cell, column) => (column === 2 ? cell.padStart(widths[column]) : cell.padEnd(widths[column]))).join("  ");
  return [format(header), widths.map((w) => "-".repeat(w)).join("  "), ...lines.map(format)].join("\n");
}
