/**
 * The least-recently-used order the image's object cache and a realm's compiled methods
 * evict in: a use is a `get` or a `set`, a `peek` is not, and a key used over and over stays
 * one entry (the map is never set again for it, see lru-map.mjs).
 */
import { describe, expect, it } from 'vitest';
import { LruMap } from '../../src/core/lru-map.mjs';
import { ObjectCache } from '../../src/core/image/object-cache.ts';

/** Every key, least recently used first, as eviction would take them (the map emptied). */
function evictionOrder<K, V>(map: LruMap<K, V>): K[] {
  const order: K[] = [];
  for (let oldest = map.leastRecent(); oldest !== undefined; oldest = map.leastRecent()) {
    order.push(oldest[0]);
    map.delete(oldest[0]);
  }
  return order;
}

describe('LruMap', () => {
  it('orders its keys by their last use: get and set are uses, peek is not', () => {
    const map = new LruMap<string, number>();
    for (const key of ['a', 'b', 'c', 'd']) map.set(key, 0);
    expect(map.get('a')).toBe(0);
    map.set('c', 3);
    expect(map.peek('b')).toBe(0);
    expect(map.get('missing')).toBeUndefined();
    expect(map.size).toBe(4);
    expect(map.peek('c')).toBe(3);
    expect(evictionOrder(map)).toEqual(['b', 'd', 'a', 'c']);
    expect(map.size).toBe(0);
    expect(map.leastRecent()).toBeUndefined();
  });

  it('keeps its order through deletes at either end and in the middle, and after a clear', () => {
    const map = new LruMap<number, string>();
    for (let key = 1; key <= 5; key += 1) map.set(key, String(key));
    expect(map.delete(1)).toBe(true);
    expect(map.delete(5)).toBe(true);
    expect(map.delete(3)).toBe(true);
    expect(map.delete(3)).toBe(false);
    map.get(2);
    map.set(6, '6');
    expect(evictionOrder(map)).toEqual([4, 2, 6]);
    map.set(7, '7');
    map.clear();
    expect(map.size).toBe(0);
    map.set(8, '8');
    expect(evictionOrder(map)).toEqual([8]);
  });

  it('uses one key a hundred thousand times as one entry, first to last in order', () => {
    const map = new LruMap<number, number>();
    for (let key = 0; key < 1_000; key += 1) map.set(key, key);
    for (let use = 0; use < 100_000; use += 1) map.get(use % 2 === 0 ? 7 : 11);
    expect(map.size).toBe(1_000);
    const order = evictionOrder(map);
    expect(order.slice(-2)).toEqual([7, 11]);
    expect(order.slice(0, 3)).toEqual([0, 1, 2]);
  });
});

describe('ObjectCache', () => {
  const object = { slots: new Map(), version: 1 };

  it('evicts the least recently read object past its count, and keeps its byte total true', () => {
    const cache = new ObjectCache(3, 1_000);
    cache.set(1, object, 10);
    cache.set(2, object, 20);
    cache.set(3, object, 30);
    expect(cache.get(1)).toBe(object);
    cache.set(4, object, 40);
    expect([1, 2, 3, 4].map((oid) => cache.bytesOf(oid))).toEqual([10, undefined, 30, 40]);
    // Written again with another size: one entry, its new size counted, the oldest next.
    cache.set(3, object, 300);
    cache.set(5, object, 50);
    expect([1, 3, 4, 5].map((oid) => cache.bytesOf(oid))).toEqual([undefined, 300, 40, 50]);
  });

  it('evicts past its bytes, but never the object just set', () => {
    const cache = new ObjectCache(100, 100);
    cache.set(1, object, 60);
    cache.set(2, object, 30);
    cache.set(3, object, 50);
    expect(cache.size).toBe(2);
    expect(cache.bytesOf(1)).toBeUndefined();
    cache.set(4, object, 500);
    expect(cache.size).toBe(1);
    expect(cache.bytesOf(4)).toBe(500);
  });
});
