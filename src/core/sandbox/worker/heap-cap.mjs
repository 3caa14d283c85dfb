/**
 * A hard cap on how much a realm's heap may grow, that a method cannot hide from: for the
 * in-thread realm, whose host thread a long native operation (a big sort, JSON or string
 * operation) holds up unseen by the interrupt. Such an operation works on data in the heap,
 * so a small heap bounds it: it fails fast, and the runner runs the call again on a worker.
 *
 * QuickJS's own memory limit would do, but its failure is an exception the method may catch,
 * and the call would then answer otherwise than on a worker. Here the heap's WebAssembly
 * memory is filled with ballast at the start, leaving only the spare free, and asking for
 * more (memory.grow, which QuickJS's allocator calls when it runs out) is refused and noted:
 * the note, like the interrupt's, says the call went past what runs in-thread, whatever the
 * method then did.
 */

/** Ballast is taken in blocks of this size (bytes): small enough to fill the heap closely. */
const BLOCK_BYTES = 64 * 1024;

/**
 * The emscripten module's allocator, which QuickJS allocates from too. quickjs-emscripten
 * keeps the module in a protected field of its module object.
 * @typedef {{ _malloc: (bytes: number) => number, _free: (pointer: number) => void }} Allocator
 */

export class HeapCap {
  /** @param {{ grow: (pages: number) => number }} memory the realm's WebAssembly memory */
  constructor(memory) {
    /** Whether the heap asked for more memory since {@link reset}. */
    this.outgrew = false;
    /** Whether asking for more is refused (once the ballast is in place). */
    this.capped = false;
    /** @type {Allocator | undefined} */
    this.allocator = undefined;
    /** @type {number | undefined} */
    this.spareBytes = undefined;
    const grow = memory.grow.bind(memory);
    // An own property, which the module's glue calls instead of the prototype's.
    memory.grow = (pages) => {
      if (!this.capped) return grow(pages);
      this.outgrew = true;
      throw new RangeError('the in-thread heap is full');
    };
  }

  /**
   * Fills the heap with ballast until it would grow, then frees the last `spareBytes` of it
   * (contiguous, so one large allocation fits), and caps it.
   * @param {unknown} quickJsModule the QuickJSWASMModule the realm was built from
   * @param {number} spareBytes
   */
  fill(quickJsModule, spareBytes) {
    const allocator = /** @type {{ module: Allocator }} */ (quickJsModule).module;
    this.allocator = allocator;
    this.spareBytes = spareBytes;
    this.capped = true;
    /** @type {number[]} */
    const blocks = [];
    for (let block = allocator._malloc(BLOCK_BYTES); block !== 0;) {
      blocks.push(block);
      block = allocator._malloc(BLOCK_BYTES);
    }
    for (const block of blocks.splice(-Math.ceil(spareBytes / BLOCK_BYTES))) allocator._free(block);
    this.outgrew = false;
  }

  /**
   * Whether a quarter of the spare is free, in one piece (time enough to start a fresh
   * realm before calls run out of room): after a call that outgrew the heap, its
   * garbage is gone, and what stays taken is the realm's own: the compiled methods it keeps
   * (a call leaves nothing behind), so a realm that is no longer roomy is dropped for a
   * fresh one rather than sending every later call to a worker.
   * @returns {boolean}
   */
  roomy() {
    if (this.allocator === undefined || this.spareBytes === undefined) return true;
    const outgrew = this.outgrew;
    const probe = this.allocator._malloc(Math.floor(this.spareBytes / 4));
    if (probe !== 0) this.allocator._free(probe);
    this.outgrew = outgrew;
    return probe !== 0;
  }

  /** Starts noting afresh (a new call). */
  reset() {
    this.outgrew = false;
  }
}
