/**
 * What Slack says of a person and a channel, looked up once each: a user's display name and
 * whether they are a workspace admin or owner (users.info), and a channel's creator
 * (conversations.info). A channel's admins, for binding a persona there, are the workspace's
 * admins and owners and the channel's creator.
 */
import type { Logger } from '../chat/front-end.ts';
import type { webApi } from '@slack/bolt';
import { withRateLimitRetry } from './rate-limit.ts';

const MAX_CACHED = 1_000;

/** A Slack user as the front end needs them. */
export interface SlackPerson {
  readonly name: string;
  /** A workspace admin or owner. */
  readonly workspaceAdmin: boolean;
}

/** What the lookups remember: people by user id, creators by channel id. */
export interface SlackDirectory {
  readonly people: Map<string, SlackPerson>;
  readonly creators: Map<string, string | undefined>;
}

/** A new, empty directory. */
export function slackDirectory(): SlackDirectory {
  return { people: new Map(), creators: new Map() };
}

/** Remembers `value` under `key`, forgetting everything first when the cache is full. */
function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, value);
  return value;
}

/** Logs a failed lookup; the caller goes on with what it knows. */
function lookupFailed(log: Logger, method: string, error: unknown): void {
  log.warn(`slack: ${method} failed`, {
    error: error instanceof Error ? error.message : String(error),
  });
}

/** The user (users.info, cached); their id as the name, and no admin, when the lookup fails. */
export async function slackPerson(
  client: webApi.WebClient,
  directory: SlackDirectory,
  userId: string,
  log: Logger,
): Promise<SlackPerson> {
  const cached = directory.people.get(userId);
  if (cached !== undefined) return cached;
  let person: SlackPerson = { name: userId, workspaceAdmin: false };
  try {
    const { user } = await withRateLimitRetry(() => client.users.info({ user: userId }), log);
    person = {
      name: user?.profile?.display_name || user?.real_name || user?.name || userId,
      workspaceAdmin: user?.is_admin === true || user?.is_owner === true,
    };
  } catch (error) {
    lookupFailed(log, 'users.info', error);
  }
  return remember(directory.people, userId, person);
}

/** Whether `userId` administers `channel`: a workspace admin or owner, or its creator. */
export async function administers(
  client: webApi.WebClient,
  directory: SlackDirectory,
  person: SlackPerson,
  userId: string,
  channel: string,
  log: Logger,
): Promise<boolean> {
  if (person.workspaceAdmin) return true;
  if (!directory.creators.has(channel)) {
    let creator: string | undefined;
    try {
      const info = await withRateLimitRetry(() => client.conversations.info({ channel }), log);
      creator = info.channel?.creator;
    } catch (error) {
      lookupFailed(log, 'conversations.info', error);
    }
    remember(directory.creators, channel, creator);
  }
  return directory.creators.get(channel) === userId;
}
