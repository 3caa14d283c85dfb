/** The `/batos <line>` slash command: the line goes to the core as is. */
import type { RespondFn, SlashCommand } from '@slack/bolt';
import type { Send } from '../../core/protocol.ts';
import { answer } from '../chat/answer.ts';
import type { ReplyTarget } from '../chat/answer.ts';
import { checkAccess, NOT_ALLOWED_TEXT } from '../chat/permissions.ts';
import type { SlackClient, SlackContext } from './context.ts';
import { escapeSlack, renderSlack, SLACK_EDIT_INTERVAL_MS, SLACK_MAX_LENGTH } from './render.ts';
import { slackPerson } from './people.ts';

/** The slash command's name, as the manifest declares it. */
export const SLASH_COMMAND = '/batos';

/** One invocation of the command, as Bolt hands it over. */
export interface Invocation {
  readonly command: SlashCommand;
  ack(response?: { response_type: 'ephemeral'; text: string }): Promise<void>;
  readonly respond: RespondFn;
  readonly client: SlackClient;
}

/**
 * Acknowledges at once (Slack allows 3 s), then answers through the response URL, which works
 * in any channel, even one the bot is not a member of. Refusals are shown only to the user.
 */
export async function onCommand(
  ctx: SlackContext,
  { command, ack, respond, client }: Invocation,
): Promise<void> {
  const dm = command.channel_id.startsWith('D');
  const access = checkAccess(ctx.access, {
    userId: command.user_id,
    roleIds: [],
    channelId: dm ? undefined : command.channel_id,
  });
  if (!access.allowed) {
    await ack({ response_type: 'ephemeral', text: NOT_ALLOWED_TEXT });
    return;
  }
  await ack();
  const send: Send = {
    platform: 'slack',
    sender: {
      id: command.user_id,
      name: (await slackPerson(client, ctx.directory, command.user_id, ctx.log)).name,
      isAdmin: access.isAdmin,
    },
    channel: command.channel_id,
    text: command.text.trim(),
    mentions: [],
    adminChannel: access.adminChannel,
  };
  const target: ReplyTarget<void> = {
    maxLength: SLACK_MAX_LENGTH,
    streamIntervalMs: SLACK_EDIT_INTERVAL_MS,
    render: renderSlack,
    renderPartial: escapeSlack,
    async post(text) {
      await respond({ response_type: 'in_channel', text });
    },
  };
  await answer(ctx.bot, send, target, ctx.log);
}
