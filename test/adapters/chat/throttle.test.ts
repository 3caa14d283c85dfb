import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Throttle } from '../../../src/adapters/chat/throttle.ts';

describe('Throttle', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends the first value at once and then only the latest, once per interval', async () => {
    const sent: [number, string][] = [];
    const start = Date.now();
    const throttle = new Throttle<string>(
      async (v) => void sent.push([Date.now() - start, v]),
      1000,
      () => undefined,
    );
    throttle.push('a');
    throttle.push('b');
    throttle.push('c');
    await vi.advanceTimersByTimeAsync(500);
    throttle.push('d');
    await vi.advanceTimersByTimeAsync(1000);
    expect(sent).toEqual([
      [0, 'a'],
      [1000, 'd'],
    ]);
  });

  it('never overlaps calls: a slow call delays the next value', async () => {
    const sent: [number, string][] = [];
    const start = Date.now();
    const throttle = new Throttle<string>(
      async (v) => {
        sent.push([Date.now() - start, v]);
        await new Promise((resolve) => setTimeout(resolve, 3000));
      },
      1000,
      () => undefined,
    );
    throttle.push('a');
    await vi.advanceTimersByTimeAsync(100);
    throttle.push('b');
    await vi.advanceTimersByTimeAsync(5000);
    expect(sent).toEqual([
      [0, 'a'],
      [3000, 'b'],
    ]);
  });

  it('close drops pending values and waits for the call in flight', async () => {
    const sent: string[] = [];
    const throttle = new Throttle<string>(
      async (v) => void sent.push(v),
      1000,
      () => undefined,
    );
    throttle.push('a');
    throttle.push('b');
    await throttle.close();
    throttle.push('c');
    await vi.advanceTimersByTimeAsync(2000);
    expect(sent).toEqual(['a']);
  });

  it('reports a failed call and keeps going', async () => {
    const errors: unknown[] = [];
    const sent: string[] = [];
    const throttle = new Throttle<string>(
      async (v) => {
        if (v === 'bad') throw new Error('boom');
        sent.push(v);
      },
      10,
      (e) => errors.push(e),
    );
    throttle.push('bad');
    await vi.advanceTimersByTimeAsync(1);
    throttle.push('good');
    await vi.advanceTimersByTimeAsync(20);
    expect(errors).toHaveLength(1);
    expect(sent).toEqual(['good']);
  });
});
