import type { Oid } from '../model/value.ts';
import { LruMap } from '../lru-map.mjs';
import type { CommittedObject } from './transaction.ts';

/** One cached object: its slots, version and the size of its stored form, in bytes. */
interface Entry {
  readonly object: CommittedObject;
  readonly bytes: number;
}

/** Bytes of objects kept in memory unless the image is told otherwise (BATOS_CACHE_MB): 256 MiB. */
export const DEFAULT_CACHE_BYTES = 256 << 20;

/**
 * Committed objects kept in memory, least recently used evicted first, bounded both in
 * count and in bytes (the size of each object's stored form, a fair proxy for its heap
 * cost), so a few huge objects cannot hold memory that many small ones would not. Only
 * committed state lives here, so a rolled-back transaction can never leave a trace in it.
 */
export class ObjectCache {
  private readonly entries = new LruMap<Oid, Entry>();
  private totalBytes = 0;

  constructor(
    private readonly capacity: number,
    private readonly capacityBytes: number,
  ) {}

  get(oid: Oid): CommittedObject | undefined {
    return this.entries.get(oid)?.object;
  }

  /** The stored size of a cached object, in bytes. */
  bytesOf(oid: Oid): number | undefined {
    return this.entries.peek(oid)?.bytes;
  }

  set(oid: Oid, object: CommittedObject, bytes: number): void {
    this.totalBytes += bytes - (this.entries.peek(oid)?.bytes ?? 0);
    this.entries.set(oid, { object, bytes });
    while (this.entries.size > this.capacity || this.totalBytes > this.capacityBytes) {
      const [oldest] = this.entries.leastRecent()!;
      if (oldest === oid) break;
      this.delete(oldest);
    }
  }

  delete(oid: Oid): void {
    const bytes = this.entries.peek(oid)?.bytes;
    if (bytes === undefined) return;
    this.entries.delete(oid);
    this.totalBytes -= bytes;
  }

  clear(): void {
    this.entries.clear();
    this.totalBytes = 0;
  }

  get size(): number {
    return this.entries.size;
  }
}
