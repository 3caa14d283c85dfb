/**
 * Personas and reply policies bound to places, through the real Bot with the forged model:
 * alice administers the channel, bob is a member, carol is BAT OS's admin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mind } from '../../src/core/mind/index.ts';
import type { Place, Reply, Send } from '../../src/core/protocol.ts';
import { readRoom } from '../../src/core/uvm/rooms.ts';
import { PERSONA_SIGNATURES, ROUTER_CHOICE } from '../../tools/forge/index.ts';
import { replyToPlainText } from '../support/reply-text.ts';
import {
  loadTinyMind,
  loraFolder,
  openPersonaCore,
  type PersonaCore,
} from '../support/personas.ts';

let mind: Mind;
beforeAll(async () => {
  mind = await loadTinyMind();
});
afterAll(() => mind?.close());

const CHANNEL: Place = { kind: 'channel', id: 'C1' };
const THREAD: Place = { kind: 'thread', id: 'T1' };
const CATEGORY: Place = { kind: 'category', id: 'K1' };

type Who = 'alice' | 'bob' | 'carol';
const people: Record<Who, Send['sender']> = {
  alice: { id: 'alice', name: 'alice', isAdmin: false, isPlaceAdmin: true },
  bob: { id: 'bob', name: 'bob', isAdmin: false },
  carol: { id: 'carol', name: 'carol', isAdmin: true },
};

/** Where a message is said: the channel (in its category), a thread of it, or a DM. */
const at = {
  channel: { channel: 'C1', places: [CHANNEL, CATEGORY] },
  thread: { channel: 'C1', thread: 'T1', places: [THREAD, CHANNEL, CATEGORY] },
  dm: { channel: 'D1', places: [] },
} as const;

async function roomsCore() {
  const core = await openPersonaCore({ loraDir: await loraFolder(), conversation: { mind } });
  const say = (
    who: Who,
    text: string,
    where: keyof typeof at = 'channel',
    reach: Send['reach'] = 'mention',
  ): Promise<Reply> =>
    core.bot.handle({
      platform: 'discord',
      sender: people[who],
      text,
      mentions: [],
      adminChannel: false,
      reach: where === 'dm' ? 'direct' : reach,
      ...at[where],
    });
  return { core, say };
}

const text = (reply: Reply) => replyToPlainText(reply);
const history = (core: PersonaCore) => core.image.history({ limit: 5 });

describe('binding a persona to a place', () => {
  it("is for the place's admins and BAT OS's: a member is refused and nothing changes", async () => {
    const { core, say } = await roomsCore();
    const before = await history(core);
    const refused = await say('bob', 'bind BABS here');
    expect(refused.status).toBe('refused');
    expect(text(refused)).toMatch(/Only this channel's admins .* Nothing was changed\./u);
    expect(await history(core)).toEqual(before);
    expect((await say('carol', 'bind BABS here')).status).toBe('ok');
    expect((await say('alice', 'unbind')).status).toBe('ok');
  });

  it('has the bound persona answer what names none, in the channel and its threads; DMs keep the router', async () => {
    const { core, say } = await roomsCore();
    const bound = await say('alice', 'bind babs here');
    expect(bound).toMatchObject({ status: 'ok', tx: expect.any(Number) });
    expect(text(bound)).toContain('BABS answers in this channel');

    const inChannel = await say('bob', 'good morning everyone');
    expect(inChannel).toMatchObject({ status: 'ok', persona: 'BABS' });
    expect(text(inChannel)).toContain(PERSONA_SIGNATURES.BABS);
    expect(text(inChannel)).not.toContain('routed');
    expect(await say('bob', 'good morning again', 'thread')).toMatchObject({ persona: 'BABS' });
    // Naming a persona still reaches it.
    expect(await say('bob', 'Robin, hello')).toMatchObject({ persona: 'ROBIN' });
    const dm = await say('bob', 'good morning', 'dm');
    expect(dm.persona).toBe(ROUTER_CHOICE);
    expect(text(dm)).toContain(`routed to ${ROUTER_CHOICE}`);

    // A thread's own binding wins there; the channel keeps its own.
    await say('alice', 'bind ROBIN here', 'thread');
    expect(await say('bob', 'and now?', 'thread')).toMatchObject({ persona: 'ROBIN' });
    expect(await say('bob', 'and here?')).toMatchObject({ persona: 'BABS' });

    // The binding is the admin's transaction in the history, with the message.
    const [latest] = await core.image.history({ limit: 1, undoableBy: 'discord:alice' });
    expect(latest).toMatchObject({ who: 'discord:alice', message: 'bind ROBIN here' });
  });

  it('unbinds back to the router; an admin may undo a binding', async () => {
    const { core, say } = await roomsCore();
    await say('alice', 'bind BABS channel', 'thread');
    expect(await say('bob', 'hello all')).toMatchObject({ persona: 'BABS' });
    expect(text(await say('alice', 'unbind channel', 'thread'))).toContain('Unbound this channel');
    expect(await say('bob', 'hello all')).toMatchObject({ persona: ROUTER_CHOICE });
    const again = await say('alice', 'unbind');
    expect(again.status).toBe('error');
    expect(text(again)).toContain('Nothing is bound to this channel; nothing was changed.');

    const { tx } = await say('alice', 'bind BABS here');
    // Undoing it is an admin's act: the binding is BAT OS's state, written for alice.
    expect((await say('bob', `undo ${tx}`)).status).not.toBe('ok');
    expect(text(await say('alice', `undo ${tx}`))).toContain('only an admin may undo it');
    expect((await say('carol', `undo ${tx}`)).status).toBe('ok');
    expect(await say('bob', 'hello all')).toMatchObject({ persona: ROUTER_CHOICE });
    expect(
      await core.uvm.readCommitted((t) => readRoom(t, 'discord', [CHANNEL, CATEGORY])),
    ).toEqual({});
  });

  it('refuses, changing nothing: an unknown persona, a DM, a place the message is not in', async () => {
    const { core, say } = await roomsCore();
    const before = await history(core);
    const cases: Array<[string, keyof typeof at, RegExp]> = [
      ['bind NOBODY here', 'channel', /"NOBODY" is not a persona; nothing was changed/u],
      ['bind BABS here', 'dm', /direct messages \(and slash commands\) keep the router/u],
      ['bind BABS thread', 'channel', /not said in a thread; nothing was changed/u],
      ['bind BABS upstairs', 'channel', /"upstairs" is not a place here/u],
      ['reply sometimes', 'channel', /"sometimes" is not a reply policy/u],
    ];
    for (const [line, where, why] of cases) {
      const reply = await say('carol', line, where);
      expect(reply.status, line).toBe('error');
      expect(text(reply), line).toMatch(why);
    }
    expect(await history(core)).toEqual(before);
  });
});

describe('reply policies', () => {
  it('keep today’s default until set: mentions, DMs, threads the bot is in, listen channels', async () => {
    const { say } = await roomsCore();
    expect((await say('bob', 'genesis slotNames', 'channel', 'overheard')).silent).toBe(true);
    for (const reach of ['mention', 'thread', 'listen'] as const)
      expect((await say('bob', 'genesis slotNames', 'channel', reach)).silent).toBeUndefined();
  });

  it('answer by the policy set for the place, inherited by its threads', async () => {
    const { core, say } = await roomsCore();
    const answered = async (where: 'channel' | 'thread', reach: Send['reach']) =>
      (await say('bob', 'genesis slotNames', where, reach)).silent !== true;
    const before = await history(core);
    expect(text(await say('alice', 'reply mentions'))).toContain(
      'Reply policy for this channel: mentions',
    );
    expect(await history(core)).not.toEqual(before);
    expect(await answered('channel', 'mention')).toBe(true);
    expect(await answered('thread', 'thread')).toBe(false);
    expect(await answered('channel', 'listen')).toBe(false);

    await say('alice', 'reply threads');
    expect(await answered('thread', 'thread')).toBe(true);
    expect(await answered('channel', 'listen')).toBe(false);
    expect(await answered('channel', 'overheard')).toBe(false);

    await say('alice', 'reply ambient');
    expect(await answered('channel', 'overheard')).toBe(true);
    expect(await answered('thread', 'overheard')).toBe(true);
    // Ambient talk in a bound channel goes to its persona.
    await say('alice', 'bind ALFRED here');
    expect(await say('bob', 'lovely weather', 'channel', 'overheard')).toMatchObject({
      persona: 'ALFRED',
    });
    // A thread may be quieter than its channel.
    await say('alice', 'reply mentions', 'thread');
    expect(await answered('thread', 'overheard')).toBe(false);
    expect(await answered('channel', 'overheard')).toBe(true);
  });

  it('are shown by help where it is asked, and nowhere else', async () => {
    const { say } = await roomsCore();
    expect(text(await say('bob', 'help'))).toContain(
      'HERE  the router picks a persona for what names none;\n  reply policy: the default',
    );
    await say('alice', 'bind BRICK here');
    await say('alice', 'reply ambient');
    await say('alice', 'reply mentions', 'thread');
    expect(text(await say('bob', 'help'))).toContain(
      'HERE  BRICK answers what names no persona (bound to this channel);\n  reply policy: ambient — I answer everything said here (set for this channel).',
    );
    expect(text(await say('bob', 'help', 'thread'))).toContain(
      'HERE  BRICK answers what names no persona (bound to its channel);\n  reply policy: mentions — I answer only when mentioned (set for this thread).',
    );
    expect(text(await say('bob', 'help', 'dm'))).not.toContain('HERE');
  });

  it('are read in the one read per message, the silent ones too', async () => {
    const { core, say } = await roomsCore();
    await say('alice', 'bind BABS here');
    await say('alice', 'reply mentions');
    let reads = 0;
    const read = core.uvm.readCommitted.bind(core.uvm);
    core.uvm.readCommitted = (work) => {
      reads += 1;
      return read(work);
    };
    expect(await say('bob', 'hello there')).toMatchObject({ persona: 'BABS' });
    expect(reads).toBe(1);
    expect((await say('bob', 'hello there', 'thread', 'thread')).silent).toBe(true);
    expect(reads).toBe(2);
  });
});
