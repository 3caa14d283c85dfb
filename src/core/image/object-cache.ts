import type { Oid } from '../model/value.ts';
import type { SlotMap } from './codec.ts';

/**
 * Committed objects kept in memory, least recently used evicted first. Only committed state
 * lives here, so a rolled-back transaction can never leave a trace in it.
 */
export class ObjectCache {
  private readonly entries = new Map<Oid, SlotMap>();

  constructor(private readonly capacity: number) {}

  get(oid: Oid): SlotMap | undefined {
    const slots = this.entries.get(oid);
    if (slots !== undefined) {
      this.entries.delete(oid);
      this.entries.set(oid, slots);
    }
    return slots;
  }

  set(oid: Oid, slots: SlotMap): void {
    this.entries.delete(oid);
    this.entries.set(oid, slots);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  delete(oid: Oid): void {
    this.entries.delete(oid);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
