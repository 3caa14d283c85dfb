/**
 * Durable sends per second through the UVM — parsing excluded, everything else included
 * (lookup, the primitive or the sandboxed method, the commit with its history) — for a
 * primitive one-slot write, a method that writes one slot, and a method that writes ten
 * objects.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Image } from '../src/core/image/index.ts';
import { QuickJsMethodRunner } from '../src/core/sandbox/index.ts';
import { parseLine, type ParsedLine } from '../src/core/uvm/parser.ts';
import { Uvm } from '../src/core/uvm/uvm.ts';
import { callerOf } from '../src/core/bot/caller.ts';
import { formatNumber, median, type BenchTable } from './table.ts';

/** The operator at the console: every check runs (only quotas on owned objects are skipped). */
const caller = callerOf({
  platform: 'console',
  sender: { id: 'bench', name: 'bench', isAdmin: true },
  channel: 'console',
  text: '',
  mentions: [],
  adminChannel: true,
});

/** Sends/s over five rounds, after one untimed round so the JIT and the sandbox are warm. */
async function rate(uvm: Uvm, line: (n: number) => string, seconds: number): Promise<number[]> {
  const rates: number[] = [];
  let n = 0;
  for (let round = -1; round < 5; round += 1) {
    let sends = 0;
    const start = performance.now();
    while (performance.now() - start < (seconds * 1000) / 5) {
      const parsed = parseLine(line(n++)) as Extract<ParsedLine, { kind: 'send' }>;
      await uvm.send({ ...parsed, caller });
      sends += 1;
    }
    if (round >= 0) rates.push(sends / ((performance.now() - start) / 1000));
  }
  return rates;
}

export async function benchSends(): Promise<BenchTable> {
  const dir = mkdtempSync(join(tmpdir(), 'batos-bench-sends-'));
  const uvm = new Uvm({
    image: await Image.open(join(dir, 'image.db')),
    runner: new QuickJsMethodRunner(),
  });
  try {
    await uvm.bootstrap({ who: 'system:bench', platform: 'console' });
    const setup = [
      `genesis defineMethod bump "function (self, n) { self.set('n', n); return n }"`,
      `genesis defineMethod fan "function (self, n) { const kids = self.get('kids'); for (const k of kids) k.send('setSlot', 'n', n); return n }"`,
    ];
    for (const line of setup)
      await uvm.send({ ...(parseLine(line) as Extract<ParsedLine, { kind: 'send' }>), caller });
    const kids: string[] = [];
    for (let i = 0; i < 10; i += 1) {
      const made = await uvm.send({
        ...(parseLine('genesis clone') as Extract<ParsedLine, { kind: 'send' }>),
        caller,
      });
      kids.push(`#${(made.value as { $ref: number }).$ref}`);
    }
    await uvm.send({
      ...(parseLine(`genesis setSlot kids [${kids.join(', ')}]`) as Extract<
        ParsedLine,
        { kind: 'send' }
      >),
      caller,
    });

    const rows = [
      [
        'primitive send writing one slot (genesis setSlot n …)',
        await rate(uvm, (n) => `genesis setSlot n ${n}`, 5),
        '≥ 5,000',
      ],
      [
        'method send writing one slot (genesis bump …)',
        await rate(uvm, (n) => `genesis bump ${n}`, 5),
        '≥ 3,000',
      ],
      [
        'method send writing ten objects (genesis fan …)',
        await rate(uvm, (n) => `genesis fan ${n}`, 5),
        '—',
      ],
    ] as const;
    return {
      title:
        'Durable sends/s through the UVM (lookup, run, commit with history; WAL, synchronous=FULL)',
      rows: rows.map(([send, rates, target]) => ({
        send,
        'sends/s median [min – max]': `${formatNumber(median(rates))} [${formatNumber(Math.min(...rates))} – ${formatNumber(Math.max(...rates))}]`,
        target,
      })),
      notes: [
        'Five 1-second rounds each, after an untimed warm-up round. ZODB anchor for one object per transaction: 577 commits/s.',
      ],
    };
  } finally {
    await uvm.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
