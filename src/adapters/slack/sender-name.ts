/** A Slack user's display name, looked up once. */
import type { Logger } from '../chat/front-end.ts';
import type { SlackClient } from './context.ts';
import { withRateLimitRetry } from './rate-limit.ts';

const MAX_CACHED = 1_000;

/** The user's display name (users.info, cached); the id itself when the lookup fails. */
export async function senderName(
  client: SlackClient,
  names: Map<string, string>,
  userId: string,
  log: Logger,
): Promise<string> {
  const cached = names.get(userId);
  if (cached !== undefined) return cached;
  let name = userId;
  try {
    const { user } = await withRateLimitRetry(() => client.users.info({ user: userId }), log);
    name = user?.profile?.display_name || user?.real_name || user?.name || userId;
  } catch (error) {
    log.warn('slack: users.info failed', {
      error: error instanceof Error ? error.message : String(error),
    });
  }
  if (names.size >= MAX_CACHED) names.clear();
  names.set(userId, name);
  return name;
}
