/**
 * Timing lookups for the search benchmarks (method index, memory): each lookup's wall-clock
 * time and this process's CPU time (user and system) beside it, so a loaded machine's waits
 * for a core — which the wall-clock figures count and the CPU figures do not — can be told
 * from the query's own cost; and each beside an anchor, the bare query measured in the same
 * run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, PostgresServer } from '../test/support/postgres-server.ts';
import { formatNumber, percentile } from './table.ts';

/** Each lookup's wall-clock and CPU milliseconds, in run order. */
export interface LookupTimes {
  readonly wall: readonly number[];
  readonly cpu: readonly number[];
}

/** Runs `lookup(i)` for i from -`warmUp` to `count` - 1, timing those from 0 on. */
export async function timeLookups(
  count: number,
  lookup: (i: number) => unknown,
  warmUp = 20,
): Promise<LookupTimes> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = -warmUp; i < count; i += 1) {
    const cpuFrom = process.cpuUsage();
    const from = performance.now();
    await lookup(i);
    const took = performance.now() - from;
    const used = process.cpuUsage(cpuFrom);
    if (i < 0) continue;
    wall.push(took);
    cpu.push((used.user + used.system) / 1000);
  }
  return { wall, cpu };
}

const pair = (values: readonly number[]) =>
  `${formatNumber(percentile(values, 50), 2)} / ${formatNumber(percentile(values, 99), 2)}`;

/** A table row's cells for `times`: wall and CPU p50 / p99, and the p50s ÷ the anchor's. */
export function lookupCells(
  times: LookupTimes,
  anchor: LookupTimes,
): Record<'wall p50 / p99 ms' | 'CPU p50 / p99 ms' | 'bare p50 / p99 ms' | '÷ bare (p50)', string> {
  return {
    'wall p50 / p99 ms': pair(times.wall),
    'CPU p50 / p99 ms': pair(times.cpu),
    'bare p50 / p99 ms': pair(anchor.wall),
    '÷ bare (p50)': formatNumber(percentile(times.wall, 50) / percentile(anchor.wall, 50), 1),
  };
}

/** The note every search table ends with: the machine's load, and what the columns mean. */
export function loadNote(): string {
  return (
    `Load average ${loadavg()
      .map((l) => formatNumber(l, 1))
      .join(' / ')} (1 / 5 / 15 min) on ${availableParallelism()} cores at the end of the run. ` +
    'CPU is this process only (user and system), so it leaves out time spent waiting for a core, ' +
    'which wall-clock time counts on a loaded machine; "bare" is the same search as one query ' +
    'straight through the driver, without BAT OS, on the same table in the same run.'
  );
}

/**
 * Runs `work` on a fresh SQLite image file and then on a fresh database `name` of a throwaway
 * PostgreSQL server, started for it; returns both results, and removes both afterwards.
 */
export async function onBothStores<T>(
  name: string,
  work: (location: string, store: 'SQLite' | 'PostgreSQL') => Promise<T>,
): Promise<[T, T]> {
  const dir = mkdtempSync(join(tmpdir(), `batos-bench-${name}-`));
  const server = await PostgresServer.start();
  try {
    const onSqlite = await work(join(dir, 'image.db'), 'SQLite');
    return [onSqlite, await work(await createDatabase(server.url(), name), 'PostgreSQL')];
  } finally {
    await server.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
