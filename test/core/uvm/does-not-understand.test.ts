import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mind, type Prompt } from '../../../src/core/mind/index.ts';
import { QuickJsMethodRunner } from '../../../src/core/sandbox/index.ts';
import { MindMethodWriter } from '../../../src/core/uvm/mind-writer.ts';
import type { MethodWriter } from '../../../src/core/uvm/method-writer.ts';
import { DISPLAY_YOURSELF_SOURCE } from '../../../tools/forge/index.ts';
import { openTestCore } from '../../support/core.ts';
import { freshPostgresDatabase } from '../../support/images.ts';
import { forged, scriptedForged, tinyConfig } from '../../support/forged.ts';

/**
 * The forged model, scripted to write two broken methods; any other selector gets the base
 * answer, `display_yourself`.
 */
const SCRIPT = {
  methods: {
    leak: ['function (self) { return globalThis.process }'],
    explode: ["function (self) { self.set('half', 1); throw new Error('boom') }"],
  },
};

let mind: Mind;
const checker = new QuickJsMethodRunner();

beforeAll(async () => {
  const files = await scriptedForged(SCRIPT);
  mind = await Mind.load(tinyConfig(files.model, { modelsDir: files.outDir }));
});
afterAll(async () => {
  await mind.close();
  await checker.close();
});

/** The real mind, counting how often it is asked to write. */
function countingWriter(source: Pick<Mind, 'generateMethod'> = mind) {
  let calls = 0;
  const writer: MethodWriter = new MindMethodWriter(
    {
      generateMethod: (prompt: Prompt, options) => {
        calls += 1;
        return source.generateMethod(prompt, options);
      },
    },
    checker,
  );
  return { writer, calls: () => calls };
}

describe('doesNotUnderstand_ with the forged model', () => {
  it('writes display_yourself, installs it with provenance, runs it, and reuses it', async () => {
    const { writer, calls } = countingWriter();
    const core = await openTestCore({ uvm: { writer } });
    const statuses: string[] = [];
    const reply = await core.bot.handle(
      {
        platform: 'console',
        sender: { id: 'ada', name: 'ada', isAdmin: true },
        channel: 'c',
        text: 'display_yourself',
        mentions: [],
        adminChannel: true,
      },
      { status: (text) => statuses.push(text) },
    );
    expect(reply.status).toBe('ok');
    expect(statuses).toEqual(['#3 genesis does not understand display_yourself — writing it…']);
    expect(reply.parts[0]).toEqual({
      kind: 'text',
      text: 'Object #3 "genesis": slots parent*, display_yourself',
    });
    expect(await core.ok('genesis methodSource display_yourself')).toBe(DISPLAY_YOURSELF_SOURCE);
    const slot = core.image.read(3)!.get('display_yourself');
    expect(slot).toMatchObject({
      kind: 'method',
      provenance: {
        author: 'model',
        by: 'console:ada',
        model: mind.metadata.id,
        promptHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    });
    expect(await core.ok('display_yourself')).toBe(
      'Object #3 "genesis": slots parent*, display_yourself',
    );
    expect(await core.ok('genesis clone')).toMatch(/^#\d+$/);
    expect(calls()).toBe(1);
  });

  it('generates once for two concurrent sends of the same unknown selector', async () => {
    const { writer, calls } = countingWriter();
    const core = await openTestCore({ uvm: { writer } });
    const [a, b] = await Promise.all([
      core.ok('display_yourself'),
      core.ok('genesis display_yourself'),
    ]);
    expect(a).toBe(b);
    expect(calls()).toBe(1);
    expect(
      (await core.image.history({ oid: 3 })).filter((e) =>
        e.changes.some((c) => c.slot === 'display_yourself'),
      ),
    ).toHaveLength(1);
  });

  it('generates once across two processes over one PostgreSQL image', async () => {
    const url = await freshPostgresDatabase();
    const first = countingWriter();
    const second = countingWriter();
    const one = await openTestCore({ imagePath: url, uvm: { writer: first.writer } });
    const other = await openTestCore({ imagePath: url, uvm: { writer: second.writer } });
    const [a, b] = await Promise.all([
      one.ok('display_yourself'),
      other.ok('genesis display_yourself'),
    ]);
    expect(a).toBe(b);
    expect(first.calls() + second.calls()).toBe(1);
    expect(
      (await other.image.history({ oid: 3 })).filter((e) =>
        e.changes.some((c) => c.slot === 'display_yourself'),
      ),
    ).toHaveLength(1);
  });

  it('a generation timeout is a clear error and changes nothing', async () => {
    const quick = await Mind.load(tinyConfig((await forged()).model, { generationTimeoutMs: 1 }));
    try {
      const core = await openTestCore({ uvm: { writer: new MindMethodWriter(quick, checker) } });
      const before = await core.ok('history');
      const reply = await core.say('display_yourself');
      expect(reply.status).toBe('error');
      expect(reply.parts[0]).toMatchObject({
        text: expect.stringMatching(
          /Could not write display_yourself: the model took too long\. Nothing was changed\./,
        ),
      });
      expect(await core.ok('genesis respondsTo display_yourself')).toBe('false');
      expect(await core.ok('history')).toBe(before);
    } finally {
      await quick.close();
    }
  });

  it('output that fails the static checks is refused and not installed', async () => {
    const core = await openTestCore({
      uvm: {
        writer: new MindMethodWriter(mind, checker),
      },
    });
    const reply = await core.say('genesis leak()');
    expect(reply.status).toBe('error');
    expect(reply.parts[0]).toMatchObject({
      text: expect.stringMatching(
        /wrote leak, but it failed the checks, so it was not installed: [\s\S]*globalThis/,
      ),
    });
    expect(await core.ok('genesis respondsTo leak')).toBe('false');
  });

  it('a generated method that fails when run is not kept', async () => {
    const core = await openTestCore({
      uvm: {
        writer: new MindMethodWriter(mind, checker),
      },
    });
    const reply = await core.say('genesis explode()');
    expect(reply.status).toBe('error');
    expect(reply.parts[0]).toMatchObject({
      text: expect.stringMatching(
        /The method the model wrote for explode failed when run, so it was not kept: .*boom/,
      ),
    });
    expect(await core.ok('genesis respondsTo explode')).toBe('false');
    expect(await core.ok('genesis respondsTo half')).toBe('false');
  });

  it('without a model the reply says how to get one', async () => {
    const core = await openTestCore({
      uvm: { noWriterReason: 'no model is loaded to write it. Run npm run models:pull.' },
    });
    const reply = await core.say('display_yourself');
    expect(reply.parts[0]).toMatchObject({
      text: '#3 genesis does not understand display_yourself, and no model is loaded to write it. Run npm run models:pull.',
    });
  });
});
