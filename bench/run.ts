/**
 * Runs benchmarks one after another. A benchmark that fails prints its error where its table
 * would be and the run goes on to the next, so one broken table (a server that dropped its
 * connection) loses no other; the names of those that failed come back for the exit code.
 */
import { renderTable, type BenchTable } from './table.ts';

/** A benchmark: one table, or several. */
export type Bench = () => Promise<BenchTable | BenchTable[]>;

export interface BenchOutput {
  /** Tables and failures, in order (stdout). */
  table(text: string): void;
  /** Progress (stderr). */
  progress(text: string): void;
}

/** Runs `wanted` of `benches` (all when none is named); resolves with the names that failed. */
export async function runBenches(
  benches: Readonly<Record<string, Bench>>,
  wanted: readonly string[],
  out: BenchOutput,
): Promise<string[]> {
  const failed: string[] = [];
  for (const [name, bench] of Object.entries(benches)) {
    if (wanted.length > 0 && !wanted.includes(name)) continue;
    out.progress(`running ${name}…\n`);
    try {
      const result = await bench();
      for (const table of Array.isArray(result) ? result : [result])
        out.table(renderTable(table) + '\n');
    } catch (error) {
      failed.push(name);
      const why = error instanceof Error ? (error.stack ?? error.message) : String(error);
      out.table(`## ${name}: FAILED, no table\n\n${why}\n\n`);
    }
  }
  return failed;
}
