import { describe, expect, it } from 'vitest';
import { shardFromEnv } from '../../../src/adapters/discord/index.ts';

describe('shardFromEnv', () => {
  it('reads the shard a ShardingManager spawned this process for, and nothing otherwise', () => {
    expect(shardFromEnv({})).toBeUndefined();
    // A stray SHARDS without the manager's mark is not a shard process.
    expect(shardFromEnv({ SHARDS: '1', SHARD_COUNT: '2' })).toBeUndefined();
    expect(shardFromEnv({ SHARDING_MANAGER: 'true', SHARDS: '1', SHARD_COUNT: '2' })).toEqual({
      id: 1,
      count: 2,
    });
  });

  it('refuses variables that name no shard of the count, saying who should start shards', () => {
    for (const [SHARDS, SHARD_COUNT] of [
      ['2', '2'],
      ['-1', '2'],
      ['x', '2'],
      ['0', undefined],
    ])
      expect(() => shardFromEnv({ SHARDING_MANAGER: 'true', SHARDS, SHARD_COUNT })).toThrow(
        /not a shard id below the count; only BAT OS with BATOS_DISCORD_SHARDS should start shard processes/,
      );
  });
});
