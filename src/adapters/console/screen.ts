/**
 * The bottom of an interactive terminal, shared by the prompt, a persona's reply as it
 * streams, and everything else that prints. Whatever prints goes *above* what is live there:
 * the prompt line is cleared, the text printed, and the prompt redrawn with what the operator
 * had typed; a streaming draft is erased and drawn again below. So no reply, status or log
 * line ever lands on the prompt line.
 */
import { clearLine, clearScreenDown, cursorTo, moveCursor, type Interface } from 'node:readline';
import type { Writable } from 'node:stream';

/** What is live at the bottom of the terminal. */
type Live =
  | { readonly kind: 'prompt' }
  | { readonly kind: 'nothing' }
  | { readonly kind: 'draft'; readonly text: string };

export class Screen {
  private live: Live = { kind: 'nothing' };
  private restoreGuard: (() => void) | undefined;

  constructor(
    private readonly output: Writable & { columns?: number },
    private readonly rl: Interface,
    private readonly style: (draft: string) => string,
  ) {}

  /** Shows the prompt (with what was typed so far) as the live line. */
  prompt(): void {
    this.live = { kind: 'prompt' };
    this.rl.prompt(true);
  }

  /** The operator pressed Enter: the cursor is on a fresh line, and nothing is live. */
  lineEntered(): void {
    this.live = { kind: 'nothing' };
  }

  /** Prints `text` (one or more lines) above whatever is live. */
  print(text: string): void {
    this.above(() => this.output.write(`${text}\n`));
  }

  /** Shows a reply as it grows, replacing the draft shown before. */
  draft(textSoFar: string): void {
    this.erase();
    this.live = { kind: 'draft', text: textSoFar };
    this.output.write(this.style(textSoFar));
  }

  /** Erases the draft, if one is shown; the final reply is printed in its place. */
  endDraft(): void {
    if (this.live.kind !== 'draft') return;
    this.erase();
    this.live = { kind: 'nothing' };
  }

  /** Leaves the terminal on a fresh line, so what prints after the console starts there. */
  close(): void {
    this.restoreGuard?.();
    if (this.live.kind === 'prompt') this.output.write('\n');
    else this.endDraft();
    this.live = { kind: 'nothing' };
  }

  /**
   * Routes every write to `stream` (the log's stderr, on the same terminal) above what is
   * live, until {@link close}.
   */
  guard(stream: Writable): void {
    const original = stream.write;
    const write = original.bind(stream) as (...args: unknown[]) => boolean;
    let result = true;
    stream.write = ((...args: unknown[]) => {
      this.above(() => (result = write(...args)));
      return result;
    }) as typeof stream.write;
    this.restoreGuard = () => {
      stream.write = original;
      this.restoreGuard = undefined;
    };
  }

  private above(print: () => void): void {
    const live = this.live;
    this.erase();
    this.live = { kind: 'nothing' };
    print();
    if (live.kind === 'prompt') this.prompt();
    else if (live.kind === 'draft') this.draft(live.text);
  }

  /** Clears the live region and leaves the cursor at the start of its first line. */
  private erase(): void {
    const { output, live } = this;
    if (live.kind === 'nothing') return;
    if (live.kind === 'draft') moveCursor(output, 0, -(this.rowsOf(live.text) - 1));
    cursorTo(output, 0);
    if (live.kind === 'prompt') clearLine(output, 0);
    else clearScreenDown(output);
  }

  /** How many terminal rows `text` takes, written from the start of a row. */
  private rowsOf(text: string): number {
    const columns = this.output.columns || 80;
    return text
      .split('\n')
      .reduce((rows, line) => rows + Math.max(1, Math.ceil(line.length / columns)), 0);
  }
}
