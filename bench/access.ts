/**
 * What owners, permissions and quotas cost: the checks a durable one-slot send makes (read
 * access to the receiver, the guarded write with its quotas), timed alone and set against
 * the whole send measured in the same run; and addressing a message when the personas hold
 * 1,000 aliases.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callerAuthority } from '../src/core/access/authority.ts';
import { AccessGuard } from '../src/core/access/guard.ts';
import { DEFAULT_QUOTAS } from '../src/core/access/quotas.ts';
import { callerOf } from '../src/core/bot/caller.ts';
import { Image, type Transaction } from '../src/core/image/index.ts';
import { GENESIS, ROOT } from '../src/core/model/primordial.ts';
import { PARENT_SLOT, ref, type Slot } from '../src/core/model/value.ts';
import { QuickJsMethodRunner } from '../src/core/sandbox/index.ts';
import { assertReadable } from '../src/core/uvm/access-checks.ts';
import { namedObject } from '../src/core/model/name-table.ts';
import { parseLine, type ParsedLine } from '../src/core/uvm/parser.ts';
import { Uvm } from '../src/core/uvm/uvm.ts';
import {
  installPersonas,
  parseAddressing,
  PERSONA_PROTOTYPE_NAME,
  personaSlotRule,
  readPersonas,
} from '../src/personas/index.ts';
import { formatNumber, median, percentile, type BenchTable } from './table.ts';

/** A plain chat user: every check applies to her sends. */
const caller = callerOf({
  platform: 'discord',
  sender: { id: 'bench', name: 'bench', isAdmin: false },
  channel: 'general',
  text: '',
  mentions: [],
  adminChannel: false,
});
const system = { who: 'system:bench', platform: 'console' } as const;

/** Microseconds per run of `work`, over rounds of `count` after a warm-up round. */
function microseconds(count: number, work: (i: number) => void): number[] {
  const rounds: number[] = [];
  for (let round = -1; round < 5; round += 1) {
    const start = performance.now();
    for (let i = 0; i < count; i += 1) work(i);
    if (round >= 0) rounds.push(((performance.now() - start) * 1000) / count);
  }
  return rounds;
}

async function sendMicroseconds(uvm: Uvm, line: (n: number) => string): Promise<number[]> {
  const rounds: number[] = [];
  let n = 0;
  for (let round = -1; round < 5; round += 1) {
    const start = performance.now();
    const count = 1000;
    for (let i = 0; i < count; i += 1) {
      const parsed = parseLine(line(n++)) as Extract<ParsedLine, { kind: 'send' }>;
      await uvm.send({ ...parsed, caller });
    }
    if (round >= 0) rounds.push(((performance.now() - start) * 1000) / count);
  }
  return rounds;
}

async function checksTable(image: Image, uvm: Uvm, box: number): Promise<BenchTable> {
  const authority = callerAuthority(caller);
  const context = {
    quotas: DEFAULT_QUOTAS,
    rules: [personaSlotRule(PERSONA_PROTOTYPE_NAME)],
    ownedObjects: (owner: string) => image.ownedObjects(owner),
    storedBytes: (oid: number) => image.storedBytes(oid),
    historyBytesToday: (who: string) => image.historyBytesToday(who),
  };
  const send = await sendMicroseconds(uvm, (n) => `#${box} setSlot n ${n}`);
  const checks = microseconds(20_000, (i) => {
    const guard = AccessGuard.forSend(authority, context);
    const tx: Transaction = image.begin(system, guard);
    assertReadable(tx, authority, box);
    guard.beforeWrite(tx, box, 'n', { kind: 'value', value: i } satisfies Slot);
  });
  const share = (median(checks) / median(send)) * 100;
  return {
    title: 'Permission checks on a durable one-slot send by a plain user (µs per send)',
    rows: [
      {
        measurement: 'whole send (`#box setSlot n …`, own object)',
        'µs median': formatNumber(median(send), 1),
        target: '—',
      },
      {
        measurement: 'its checks alone (read access, guarded write, quotas, rules)',
        'µs median': formatNumber(median(checks), 2),
        target: '—',
      },
      {
        measurement: 'checks as a share of the send',
        'µs median': `${formatNumber(share, 1)} %`,
        target: '≤ 5 %',
      },
    ],
    notes: [
      'Both measured in this run, five rounds each after a warm-up round. The checks are the exact calls a send makes, run alone on a fresh guard and transaction each time.',
    ],
  };
}

/** Adds personas until they hold at least `aliases` aliases (16 each, the most allowed). */
async function addPersonas(uvm: Uvm, aliases: number): Promise<void> {
  await uvm.asSystem(system, (tx) => {
    const prototype = namedObject(tx, PERSONA_PROTOTYPE_NAME)!;
    for (let p = 0; p * 16 < aliases; p += 1) {
      const name = `helper${p}`;
      const oid = tx.create([
        [PARENT_SLOT, { kind: 'value', value: ref(prototype) }],
        ['name', { kind: 'value', value: name.toUpperCase() }],
        [
          'aliases',
          { kind: 'value', value: Array.from({ length: 16 }, (_, a) => `${name} alias${a}`) },
        ],
      ]);
      tx.setSlot(ROOT, name, { kind: 'value', value: ref(oid) });
    }
  });
}

async function addressingTable(uvm: Uvm): Promise<BenchTable> {
  await addPersonas(uvm, 1_000);
  const messages = [
    'helper61 alias15, what is the plan?',
    'hey helper3 alias7!',
    'ROBIN, how are you?',
    'genesis setSlot color "blue"',
    'what a lovely day it is',
    '@babs find the figures',
  ];
  const stored = await uvm.readCommitted((tx) => readPersonas(tx).flatMap((p) => p.aliases).length);
  const samples: number[] = [];
  await uvm.readCommitted((tx) => {
    for (let i = 0; i < 20_000; i += 1) {
      const text = messages[i % messages.length]!;
      const start = performance.now();
      parseAddressing(text, readPersonas(tx));
      samples.push((performance.now() - start) * 1000);
    }
  });
  const measured = samples.slice(2_000);
  return {
    title: `Addressing a message with ${formatNumber(stored)} stored aliases (µs)`,
    rows: [
      {
        measurement: 'read the personas and find the one addressed',
        p50: formatNumber(percentile(measured, 50), 1),
        p99: formatNumber(percentile(measured, 99), 1),
        target: 'p99 ≤ 1,000',
      },
    ],
    notes: [
      'Mixed messages: addressed to the last persona by alias, after a greeting, to ROBIN, a send, prose, an @-mention. The first 2,000 are a warm-up.',
    ],
  };
}

export async function benchAccess(): Promise<BenchTable[]> {
  const dir = mkdtempSync(join(tmpdir(), 'batos-bench-access-'));
  const image = await Image.open(join(dir, 'image.db'));
  const uvm = new Uvm({
    image,
    runner: new QuickJsMethodRunner(),
    slotRules: [personaSlotRule(PERSONA_PROTOTYPE_NAME)],
  });
  try {
    await uvm.bootstrap(system);
    await installPersonas(uvm, system);
    const made = await uvm.send({
      caller,
      target: { kind: 'oid', oid: GENESIS },
      selector: 'clone',
      args: [],
    });
    const box = (made.value as { $ref: number }).$ref;
    return [await checksTable(image, uvm, box), await addressingTable(uvm)];
  } finally {
    await uvm.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
