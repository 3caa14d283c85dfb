/**
 * The browser bench's live pages, in a process of their own as a browser would be, so the
 * bot's process counts only what serving them costs: each page with its event stream open,
 * fetched again on each change (one fetch at a time, one more after it when changes came
 * meanwhile, as the live script does).
 *
 * usage: tsx bench/live-pages.ts <base url> <cookie> <page> <events> [<page> <events> …]
 * Prints "open" once every stream has answered; when its standard input ends, closes them
 * and prints "loads N", the page loads it made.
 */
import { once } from 'node:events';

/** One live page; `opened` resolves once its stream has answered. */
function openLivePage(base: string, cookie: string, page: string, events: string) {
  const abort = new AbortController();
  let busy = false;
  let again = false;
  let loads = 0;
  let opened!: () => void;
  const open = new Promise<void>((resolve) => (opened = resolve));
  const refresh = async (): Promise<void> => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      do {
        again = false;
        const response = await fetch(new URL(page, base), { headers: { cookie } });
        await response.text();
        loads += 1;
      } while (again && !abort.signal.aborted);
    } catch (error) {
      // A load the end of the round cut short is not counted.
      if (!abort.signal.aborted) throw error;
    } finally {
      busy = false;
    }
  };
  const listening = (async () => {
    try {
      const response = await fetch(new URL(events, base), {
        headers: { cookie },
        signal: abort.signal,
      });
      opened();
      const decoder = new TextDecoder();
      let pending = '';
      for await (const chunk of response.body!) {
        pending += decoder.decode(chunk, { stream: true });
        const messages = pending.split('\n\n');
        pending = messages.pop()!;
        for (const message of messages) if (message.includes('event: change')) void refresh();
      }
    } catch (error) {
      if (!abort.signal.aborted) throw error;
    }
  })();
  return {
    open,
    loads: () => loads,
    stop: async () => {
      abort.abort();
      await listening;
    },
  };
}

const [base, cookie, ...paths] = process.argv.slice(2) as [string, string, ...string[]];
const pages = [];
for (let i = 0; i + 1 < paths.length; i += 2)
  pages.push(openLivePage(base, cookie, paths[i]!, paths[i + 1]!));
await Promise.all(pages.map((page) => page.open));
process.stdout.write('open\n');
process.stdin.resume();
await once(process.stdin, 'end');
await Promise.all(pages.map((page) => page.stop()));
// Kept-alive connections would hold this process open (and the server's close) a while.
process.stdout.write(`loads ${pages.reduce((sum, page) => sum + page.loads(), 0)}\n`, () =>
  process.exit(0),
);
