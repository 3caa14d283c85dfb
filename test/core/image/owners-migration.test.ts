/**
 * Upgrading an image made by the release before owners (schema 0001): migration 0002 gives
 * every object its owner and makes conversation threads private, and the result works
 * through the real Bot with the rules of the new release.
 */
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeRefs, encodeSlots } from '../../../src/core/image/codec.ts';
import { imageMigrations } from '../../../src/core/image/migrations.ts';
import type { Send } from '../../../src/core/protocol.ts';
import { PARENT_SLOT, ref, type Slot, type Value } from '../../../src/core/model/value.ts';
import { replyToPlainText } from '../../support/reply-text.ts';
import { tempDir } from '../../support/temp.ts';
import { openPersonaCore } from '../../support/personas.ts';

const v = (value: Value): Slot => ({ kind: 'value', value });
const p = (name: string): [string, Slot] => [name, { kind: 'primitive', name }];

/** The traits' primitives in the release before owners (no chown, no chmod). */
const OLD_PRIMITIVES = [
  'clone',
  'setSlot',
  'getSlot',
  'removeSlot',
  'slotNames',
  'parents',
  'name',
  'describe',
  'respondsTo',
  'defineMethod',
  'methodSource',
  'doesNotUnderstand_',
];

/**
 * Writes the image that release made after a short life: bootstrap, personas, bob's widget
 * with a method, and alice's DM with ROBIN (whose objects that release created under
 * alice's own transaction).
 */
async function oldImage(path: string): Promise<void> {
  const db = new Database(path);
  const kysely = new Kysely<unknown>({ dialect: new SqliteDialect({ database: db }) });
  const all = await imageMigrations.getMigrations();
  const { error } = await new Migrator({
    db: kysely,
    provider: { getMigrations: () => Promise.resolve({ '0001_initial': all['0001_initial']! }) },
  }).migrateToLatest();
  if (error) throw error;
  await kysely.destroy();
  const db2 = new Database(path);
  const persona = (name: string, alias: string): Array<[string, Slot]> => [
    [PARENT_SLOT, v(ref(4))],
    ['name', v(name)],
    ['aliases', v([alias])],
    ['role', v('')],
    ['voice', v(`You are ${name}.`)],
    ['adapter', v(`${alias}.gguf`)],
    ['scale', v(1)],
  ];
  const turn = (role: string, who: string, text: string) => ({
    role,
    persona: 'ROBIN',
    who,
    text,
    at: '2026-11-01T10:00:00.000Z',
  });
  const objects: Array<Array<[string, Slot]>> = [
    [
      [PARENT_SLOT, v(ref(1))],
      ['traits', v(ref(1))],
      ['pLLM', v(ref(2))],
      ['genesis', v(ref(3))],
      ['persona', v(ref(4))],
      ['robin', v(ref(5))],
      ['brick', v(ref(6))],
      ['babs', v(ref(7))],
      ['alfred', v(ref(8))],
      ['widget', v(ref(9))],
      ['conversations', v(ref(10))],
    ],
    OLD_PRIMITIVES.map(p),
    [
      [PARENT_SLOT, v(ref(1))],
      ['status', v('no model loaded')],
    ],
    [[PARENT_SLOT, v(ref(1))]],
    [
      [PARENT_SLOT, v(ref(1))],
      ['describe', { kind: 'primitive', name: 'describePersona' }],
    ],
    persona('ROBIN', 'robin'),
    persona('BRICK', 'brick'),
    persona('BABS', 'babs'),
    persona('ALFRED', 'alfred'),
    [
      [PARENT_SLOT, v(ref(3))],
      [
        'greet',
        {
          kind: 'method',
          source: "function (self) { self.set('greeted', true); return 'hi'; }",
          provenance: { author: 'human', by: 'discord:bob', at: '2026-11-01T09:00:00.000Z' },
        },
      ],
    ],
    [
      [PARENT_SLOT, v(ref(1))],
      ['discord_dm_alice', v(ref(11))],
    ],
    [
      [PARENT_SLOT, v(ref(1))],
      [
        'turns',
        v([turn('user', 'discord:alice', 'my secret plans'), turn('assistant', 'ROBIN', 'Oh!')]),
      ],
    ],
  ];
  const insert = db2.prepare('INSERT INTO objects (oid, slots, refs) VALUES (?, ?, ?)');
  objects.forEach((slots, oid) => {
    const map = new Map(slots);
    insert.run(oid, encodeSlots(map), encodeRefs(map));
  });
  db2.prepare(`UPDATE meta SET value = ? WHERE key = 'next_oid'`).run(String(objects.length));
  const tx = db2.prepare(
    'INSERT INTO transactions (tx, at, who, platform, channel, message) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const created = db2.prepare('INSERT INTO changes (tx, seq, oid, slot) VALUES (?, ?, ?, NULL)');
  const at = '2026-11-01T08:00:00.000Z';
  tx.run(1, at, 'system:batos', 'console', null, null);
  [0, 1, 2, 3].forEach((oid, seq) => created.run(1, seq, oid));
  tx.run(2, at, 'system:batos', 'console', null, null);
  [4, 5, 6, 7, 8].forEach((oid, seq) => created.run(2, seq, oid));
  tx.run(3, at, 'discord:bob', 'discord', 'general', 'genesis clone');
  created.run(3, 0, 9);
  tx.run(4, at, 'discord:alice', 'discord', 'dm-alice', 'robin, my secret plans');
  created.run(4, 0, 10);
  created.run(4, 1, 11);
  db2.close();
}

const person = (id: string, isAdmin = false): Partial<Send> => ({
  platform: 'discord',
  sender: { id, name: id, isAdmin },
  channel: 'general',
  adminChannel: false,
});

describe('migrating an image made before owners', () => {
  it('gives every object its owner and makes threads private, and the new rules hold', async () => {
    const imagePath = join(tempDir(), 'old.db');
    await oldImage(imagePath);
    const core = await openPersonaCore({ imagePath });
    const [bob, alice, mallory, admin] = ['bob', 'alice', 'mallory', 'admin'].map((id) =>
      person(id, id === 'admin'),
    ) as [Partial<Send>, Partial<Send>, Partial<Send>, Partial<Send>];

    expect(await core.ok('@widget describe', admin)).toMatch(/owner discord:bob · flags "rf"/);
    expect(await core.ok('genesis describe', admin)).toMatch(/owner system/);
    expect(await core.ok('robin describe', admin)).toMatch(/owner system/);
    expect(await core.ok('#11 describe', admin)).toMatch(/owner system · flags ""/);
    expect(await core.ok('#11 describe', admin)).toMatch(/readers discord:alice/);
    // The threads moved from the root name `conversations` to the hidden `conversations*`.
    expect(replyToPlainText(await core.say('@conversations describe', admin))).toMatch(
      /no object named "conversations"/,
    );
    expect(await core.ok('#10 describe', admin)).toMatch(/owner system · flags ""/);
    // Traits, which the first version of this migration took for a thread, is readable.
    expect(await core.ok('#1 describe', admin)).toMatch(/owner system · flags "rf"/);

    // bob's widget is still his, and its method runs as him.
    expect(await core.ok('@widget greet', alice)).toBe('hi');
    expect(await core.ok('widget setSlot color "red"', bob)).toBe('red');
    expect((await core.say('@widget setSlot color "blue"', alice)).status).toBe('refused');

    // alice's DM is hers: she reads it, mallory does not, even in history.
    expect(await core.ok('#11 turns', alice)).toContain('my secret plans');
    expect(replyToPlainText(await core.say('#11 turns', mallory))).toMatch(/private/);
    const history = await core.ok('history', mallory);
    expect(history).toMatch(/tx 4 · .* · discord:alice · \(private/);
    expect(history).not.toContain('secret');

    // The traits gained this release's primitives.
    expect(await core.ok('genesis chmod private', admin)).toMatch(/flags ""/);
    expect(replyToPlainText(await core.say('genesis slotNames', mallory))).toMatch(/private/);
  });
});

describe('an image the first owners migration left with traits private', () => {
  it('gets traits back, readable by everyone, at the next start', async () => {
    const imagePath = join(tempDir(), 'traits.db');
    const first = await openPersonaCore({ imagePath });
    await first.uvm.asSystem({ who: 'system:test', platform: 'console' }, (tx) => {
      tx.setSlot(1, 'access*', v(''));
      tx.setSlot(1, 'readers*', v(['discord:alice']));
    });
    await first.close();
    const core = await openPersonaCore({ imagePath });
    expect(await core.ok('#1 describe')).toMatch(/owner system · flags "rf"/);
    expect(await core.ok('genesis clone', person('bob'))).toMatch(/^#\d+$/);
  });
});
