/**
 * The live pages' event stream over HTTP, over a real core: a change is told at once, and
 * the commits that follow within the stream's pause are told together by one event, so a
 * busy image costs an open page one load per pause, not one per commit.
 */
import { describe, expect, it } from 'vitest';
import { LIVE_GAP_MS } from '../../../src/adapters/browser/app.tsx';
import { openBrowserCore } from '../../support/browser-pages.ts';
import { signInOverHttp } from '../../support/browser-session.ts';

describe('the live pages’ event stream', () => {
  it('tells the first change at once and the changes during its pause in one event', async () => {
    const core = await openBrowserCore();
    const { url: link, cookie } = await signInOverHttp(await core.ok('browse'));
    const abort = new AbortController();
    const response = await fetch(new URL('/events', link), {
      headers: { cookie },
      signal: abort.signal,
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    /** The data of the next `change` event. */
    const nextChange = async (): Promise<string> => {
      for (;;) {
        const found = /event: change\ndata: ([\d,]+)\n\n/u.exec(text);
        if (found !== null) {
          text = text.slice(found.index + found[0].length);
          return found[1]!;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended: ${text}`);
        text += decoder.decode(value, { stream: true });
      }
    };
    while (!text.includes('event: ready')) text += decoder.decode((await reader.read()).value);

    const txOf = async (line: string) => (await core.say(line)).tx!;
    const first = await txOf('genesis clone');
    const told = Date.now();
    expect(await nextChange()).toBe(String(first));
    const more = [await txOf('genesis clone'), await txOf('genesis clone')];
    expect(await nextChange()).toBe(more.join(','));
    // Told after the pause (a second, give or take the timer's slack), not at once.
    expect(LIVE_GAP_MS).toBe(1_000);
    expect(Date.now() - told).toBeGreaterThanOrEqual(950);
    abort.abort();
  });
});
