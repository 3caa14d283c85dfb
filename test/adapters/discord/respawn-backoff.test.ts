import { describe, expect, it } from 'vitest';
import { RespawnBackoff } from '../../../src/adapters/discord/respawn-backoff.ts';

const times = { firstMs: 1_000, maxMs: 10_000, stableMs: 60_000 };

describe('RespawnBackoff', () => {
  it('doubles the wait for each death soon after a start, up to the cap', () => {
    const backoff = new RespawnBackoff(times);
    let now = 0;
    const waits: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      backoff.started(now);
      now += 500;
      const wait = backoff.delayAfterDeath(now);
      waits.push(wait);
      now += wait;
    }
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
  });

  it('starts over once a shard stayed up for the stable time', () => {
    const backoff = new RespawnBackoff(times);
    backoff.started(0);
    expect(backoff.delayAfterDeath(100)).toBe(1_000);
    backoff.started(1_100);
    expect(backoff.delayAfterDeath(1_200)).toBe(2_000);
    backoff.started(3_200);
    expect(backoff.delayAfterDeath(3_200 + 60_000)).toBe(1_000);
  });

  it('waits the first time for a shard that dies before it ever started', () => {
    expect(new RespawnBackoff(times).delayAfterDeath(0)).toBe(1_000);
  });
});
