/** Cancelling a send while its method is being written: the writing stops when nobody waits. */
import { describe, expect, it } from 'vitest';
import { callerOf } from '../../../src/core/bot/caller.ts';
import { SendError } from '../../../src/core/errors.ts';
import type { MethodWriter } from '../../../src/core/uvm/method-writer.ts';
import { openTestCore, operator } from '../../support/core.ts';

/** The operator at the console, as the bot would describe them. */
const caller = callerOf({
  platform: 'console',
  sender: operator,
  channel: 'console',
  text: '',
  mentions: [],
  adminChannel: true,
});

/** A writer that finishes only when told to, and says whether it was aborted. */
function heldWriter() {
  let release = () => {};
  const aborted: boolean[] = [];
  const writer: MethodWriter = {
    write: (request, signal) =>
      new Promise((resolve, reject) => {
        signal?.addEventListener('abort', () => {
          aborted.push(true);
          reject(new Error('aborted'));
        });
        release = () =>
          resolve({
            source: "function (self) { return 'written'; }",
            provenance: { author: 'model', by: request.requestedBy, at: '' },
          });
      }),
  };
  return { writer, aborted, release: () => release() };
}

const send = (signal?: AbortSignal) => ({
  caller,
  target: { kind: 'name' as const, name: 'genesis' },
  selector: 'fresh',
  args: [],
  // `fresh` alone reads as a missing slot; the sender asks for a method, as `genesis fresh()`.
  asksForMethod: true,
  ...(signal ? { signal } : {}),
});

describe('cancelling a method being written', () => {
  it('stops the writing when its only sender cancels, and changes nothing', async () => {
    const held = heldWriter();
    const core = await openTestCore({ uvm: { writer: held.writer } });
    const controller = new AbortController();
    const pending = core.uvm.send(send(controller.signal));
    await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SendError);
    expect((error as SendError).code).toBe('cancelled');
    expect(held.aborted).toEqual([true]);
    expect(await core.ok('genesis respondsTo fresh')).toBe('false');
  });

  it('keeps writing for the others who asked for the same method', async () => {
    const held = heldWriter();
    const core = await openTestCore({ uvm: { writer: held.writer } });
    const controller = new AbortController();
    const cancelled = core.uvm.send(send(controller.signal)).catch((e: SendError) => e.code);
    const patient = core.uvm.send(send());
    await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    expect(await cancelled).toBe('cancelled');
    held.release();
    expect((await patient).text).toBe('written');
    expect(held.aborted).toEqual([]);
  });
});
