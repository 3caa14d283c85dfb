/**
 * Which Discord shard a process serves, read from the variables discord.js's ShardingManager
 * gives the processes it spawns. Apart from the rest of the Discord front end, so that a
 * start without Discord need not load discord.js to learn it is no shard.
 */
import { OperatorError } from '../../core/errors.ts';

/** Which shard a process serves, out of how many. */
export interface ShardIdentity {
  readonly id: number;
  readonly count: number;
}

/**
 * The shard this process was spawned to serve, from the variables a ShardingManager gives
 * its shard processes (`SHARDING_MANAGER`, `SHARDS`, `SHARD_COUNT`); `undefined` for any
 * other process. Throws on variables that contradict each other.
 */
export function shardFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): ShardIdentity | undefined {
  if (env.SHARDING_MANAGER !== 'true') return undefined;
  const id = Number(env.SHARDS);
  const count = Number(env.SHARD_COUNT);
  if (!Number.isInteger(id) || !Number.isInteger(count) || id < 0 || id >= count)
    throw new OperatorError(
      'bad-environment',
      `This process was started as a Discord shard with SHARDS=${env.SHARDS} and SHARD_COUNT=${env.SHARD_COUNT}, which is not a shard id below the count; only BAT OS with BATOS_DISCORD_SHARDS should start shard processes.`,
    );
  return { id, count };
}
