import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Screen } from '../../../src/adapters/console/screen.ts';

/** A real readline prompt on a terminal-like stream, and everything written to it. */
function terminal() {
  const input = new PassThrough();
  const output = Object.assign(new PassThrough(), { columns: 20, isTTY: true });
  let shown = '';
  output.on('data', (d: Buffer) => (shown += d.toString()));
  const rl = createInterface({ input, output, terminal: true, prompt: 'batos> ' });
  const screen = new Screen(output, rl, (draft) => `<${draft}>`);
  return { input, rl, screen, shown: () => shown };
}

describe('the console screen', () => {
  it('prints above the prompt, keeping what was typed', async () => {
    const t = terminal();
    t.screen.prompt();
    t.input.write('genesis sl');
    await new Promise((resolve) => setImmediate(resolve));
    t.screen.print('a reply');
    // The prompt line is cleared, the reply printed there, and the prompt drawn below it.
    expect(
      t
        .shown()
        .endsWith(
          'batos> \x1b[8Ggenesis sl\x1b[1G\x1b[2Ka reply\n\x1b[1G\x1b[0Jbatos> genesis sl\x1b[18G',
        ),
    ).toBe(true);
    t.rl.close();
  });

  it('routes the log stream above the prompt until closed, then leaves a fresh line', () => {
    const t = terminal();
    const log = new PassThrough();
    let logged = '';
    log.on('data', (d: Buffer) => (logged += d.toString()));
    t.screen.guard(log);
    t.screen.prompt();
    const before = t.shown();
    log.write('2026-01-01T00:00:00Z batos warn something\n');
    // The log line goes to its own stream, between clearing the prompt line and redrawing it.
    expect(logged).toBe('2026-01-01T00:00:00Z batos warn something\n');
    expect(t.shown().slice(before.length)).toBe('\x1b[1G\x1b[2K\x1b[1G\x1b[0Jbatos> \x1b[8G');
    t.screen.close();
    expect(t.shown().endsWith('\n')).toBe(true);
    const after = t.shown();
    log.write('shutting down\n');
    expect(t.shown()).toBe(after);
    expect(logged).toMatch(/something\nshutting down\n$/);
    t.rl.close();
  });

  it('replaces a streaming draft, however many rows it wrapped onto', () => {
    const t = terminal();
    t.screen.lineEntered();
    t.screen.draft('x'.repeat(45)); // three rows of 20 columns
    t.screen.print('status');
    // Up two rows, to the first column, cleared down; the status, then the draft again.
    expect(t.shown()).toContain(`<${'x'.repeat(45)}>\x1b[2A\x1b[1G\x1b[0Jstatus\n<`);
    t.screen.endDraft();
    expect(t.shown().endsWith('\x1b[2A\x1b[1G\x1b[0J')).toBe(true);
    t.rl.close();
  });
});
