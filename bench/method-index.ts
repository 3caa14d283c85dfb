/**
 * The method index: what its searches cost on an image with 10,000 methods (1,000 objects of
 * ten), on SQLite and on PostgreSQL — an exact selector (`implementors`), the methods that
 * send one (`senders`: a full-text search, then each candidate confirmed) and the nearest
 * methods to a selector and a few words (before writing). Each figure is from this run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Image } from '../src/core/image/index.ts';
import { createDatabase, PostgresServer } from '../test/support/postgres-server.ts';
import { ref, type Slot } from '../src/core/model/value.ts';
import { formatNumber, percentile, timed, type BenchTable } from './table.ts';

const VERBS = ['show', 'count', 'greet', 'sort', 'merge', 'draw', 'pick', 'scale', 'sum', 'wave'];
const NOUNS = ['items', 'names', 'shapes', 'notes', 'cards', 'words', 'lines', 'stars'];
const OBJECTS = 1_000;
const METHODS_PER_OBJECT = 10;
const QUERIES = 300;

/** The `m`th method of object `i`: its selector and a source that sends another. */
function method(i: number, m: number): [string, Slot] {
  const selector = `${VERBS[m % VERBS.length]}_${NOUNS[i % NOUNS.length]}${i}`;
  const other = `${VERBS[(m + 1) % VERBS.length]}_${NOUNS[(i + 1) % NOUNS.length]}${i + 1}`;
  return [
    selector,
    {
      kind: 'method',
      source: `function (self, x) {\n  // ${VERBS[m % VERBS.length]}s the ${NOUNS[i % NOUNS.length]} it is given.\n  return self.send('${other}', x) + ${i};\n}`,
      provenance: { author: 'human', by: 'bench', at: '2026-12-07T00:00:00.000Z' },
    },
  ];
}

async function build(location: string): Promise<void> {
  const image = await Image.open(location);
  try {
    const tx = image.begin({ who: 'bench', platform: 'console' });
    const root = tx.create();
    for (let i = 0; i < OBJECTS; i += 1) {
      const oid = tx.create(Array.from({ length: METHODS_PER_OBJECT }, (_, m) => method(i, m)));
      tx.setSlot(root, `o${i}`, { kind: 'value', value: ref(oid) });
    }
    await image.commit(tx);
  } finally {
    await image.close();
  }
}

/** p50 and p99 of `QUERIES` runs of `search`, each with the next of `inputs`. */
async function latency(search: (i: number) => Promise<unknown>): Promise<string> {
  const times: number[] = [];
  for (let i = 0; i < QUERIES; i += 1) times.push((await timed(() => search(i)))[1]);
  return `${formatNumber(percentile(times, 50), 2)} / ${formatNumber(percentile(times, 99), 2)}`;
}

async function measure(location: string, store: string): Promise<Array<Record<string, string>>> {
  await build(location);
  const image = await Image.open(location);
  try {
    const selector = (i: number) => method(i % OBJECTS, i % METHODS_PER_OBJECT)[0];
    return [
      {
        search: `implementors (exact selector), ${store}`,
        'p50 / p99 ms': await latency((i) => image.implementors(selector(i), 500)),
        target: '—',
      },
      {
        search: `senders (full text, then confirmed), ${store}`,
        'p50 / p99 ms': await latency((i) => image.senders(selector(i), 500)),
        target: '—',
      },
      {
        search: `nearest to a selector and words, ${store}`,
        'p50 / p99 ms': await latency((i) =>
          image.nearestMethods(`${selector(i)} please ${NOUNS[i % NOUNS.length]} it`, 500),
        ),
        target: '≤ 5 (p99)',
      },
    ];
  } finally {
    await image.close();
  }
}

export async function benchMethodIndex(): Promise<BenchTable> {
  const dir = mkdtempSync(join(tmpdir(), 'batos-bench-'));
  const server = await PostgresServer.start();
  try {
    const rows = [
      ...(await measure(join(dir, 'image.db'), 'SQLite')),
      ...(await measure(await createDatabase(server.url(), 'batos_bench_index'), 'PostgreSQL')),
    ];
    return {
      title: `Method index: searches on an image of ${formatNumber(OBJECTS * METHODS_PER_OBJECT)} methods`,
      rows,
      notes: [
        `${QUERIES} searches each, a different selector each time; at most 500 rows read, before the UVM leaves out what the asker may not read.`,
        'PostgreSQL is a throwaway server on this machine, started for the run.',
      ],
    };
  } finally {
    await server.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
