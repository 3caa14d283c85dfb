/**
 * A small in-memory object store that implements {@link HostBridge} honestly: slots, parents,
 * methods, primitives and lookup along `parent*`, like the image in miniature.
 */
import { createHash } from 'node:crypto';
import type {
  HostBridge,
  MethodCall,
  MethodRunner,
  NestedSendResolution,
} from '../../../src/core/sandbox/index.ts';
import {
  PARENT_SLOT,
  parentOids,
  type Oid,
  type Slot,
  type Value,
} from '../../../src/core/model/value.ts';

export type Primitive = (self: Oid, args: readonly Value[]) => Value;

export class MemoryHost implements HostBridge {
  private objects = new Map<Oid, Map<string, Slot>>();
  /** The store as it was when each running nested method started, by frame. */
  private readonly frames: Array<Map<Oid, Map<string, Slot>>> = [];
  private readonly primitives = new Map<string, Primitive>();
  private nextOid = 0;

  /** Creates an object with the given value slots. */
  create(values: Record<string, Value> = {}): Oid {
    const oid = this.nextOid++;
    const slots = new Map<string, Slot>();
    for (const [name, value] of Object.entries(values)) slots.set(name, { kind: 'value', value });
    this.objects.set(oid, slots);
    return oid;
  }

  defineMethod(oid: Oid, selector: string, source: string): void {
    this.slots(oid).set(selector, { kind: 'method', source });
  }

  definePrimitive(oid: Oid, selector: string, name: string, fn: Primitive): void {
    this.primitives.set(name, fn);
    this.slots(oid).set(selector, { kind: 'primitive', name });
  }

  /** The whole store as JSON, to show that nothing changed. */
  snapshot(): string {
    return JSON.stringify([...this.objects].map(([oid, slots]) => [oid, [...slots]]));
  }

  /** Resolves and runs a top-level send, as the UVM would. */
  async send(runner: MethodRunner, oid: Oid, selector: string, ...args: Value[]): Promise<Value> {
    const resolution = this.resolveSend(0, oid, selector, args);
    return resolution.kind === 'result' ? resolution.value : runner.run(resolution.call, this);
  }

  get(_frame: number, oid: Oid, slot: string): Value | undefined {
    const found = this.slots(oid).get(slot);
    return found?.kind === 'value' ? found.value : undefined;
  }

  set(_frame: number, oid: Oid, slot: string, value: Value): void {
    this.slots(oid).set(slot, { kind: 'value', value });
  }

  remove(_frame: number, oid: Oid, slot: string): void {
    this.slots(oid).delete(slot);
  }

  slotNames(_frame: number, oid: Oid): string[] {
    return [...this.slots(oid).keys()];
  }

  resolveSend(
    frame: number,
    oid: Oid,
    selector: string,
    args: readonly Value[],
  ): NestedSendResolution {
    const found = this.lookup(oid, selector, new Set());
    if (found === undefined) throw new Error(`object ${oid} does not understand ${selector}`);
    const [holder, slot] = found;
    if (slot.kind === 'primitive')
      return { kind: 'result', value: this.primitives.get(slot.name)!(oid, args) };
    if (slot.kind === 'value') return { kind: 'result', value: slot.value };
    const sha = createHash('sha256').update(slot.source).digest('hex').slice(0, 16);
    const call: MethodCall = {
      source: slot.source,
      cacheKey: `${holder}:${selector}:${sha}`,
      caller: 'test',
      self: oid,
      selector,
      args,
    };
    this.frames[frame + 1] = this.copy();
    return { kind: 'method', call };
  }

  rollback(frame: number): void {
    this.objects = this.frames[frame]!;
    this.frames.length = frame;
  }

  private copy(): Map<Oid, Map<string, Slot>> {
    return new Map([...this.objects].map(([oid, slots]) => [oid, new Map(slots)]));
  }

  private lookup(oid: Oid, selector: string, seen: Set<Oid>): [Oid, Slot] | undefined {
    if (seen.has(oid)) return undefined;
    seen.add(oid);
    const slots = this.slots(oid);
    const own = slots.get(selector);
    if (own !== undefined) return [oid, own];
    const parentSlot = slots.get(PARENT_SLOT);
    for (const parent of parentOids(parentSlot?.kind === 'value' ? parentSlot.value : undefined)) {
      const found = this.lookup(parent, selector, seen);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  private slots(oid: Oid): Map<string, Slot> {
    const slots = this.objects.get(oid);
    if (slots === undefined) throw new Error(`unknown object ${oid}`);
    return slots;
  }
}
