/** A Discord message in, a reply out: mentions, DMs, threads and listen channels. */
import type { Message } from 'discord.js';
import type { Send } from '../../core/protocol.ts';
import { answer } from '../chat/answer.ts';
import type { ReplyTarget } from '../chat/answer.ts';
import { checkAccess, NOT_ALLOWED_TEXT } from '../chat/permissions.ts';
import type { DiscordContext } from './context.ts';
import { DISCORD_REPLY_FORMAT } from './render.ts';

/** Handles one MESSAGE_CREATE: ignores bots and messages not for the bot, serves the rest. */
export async function onMessage(ctx: DiscordContext, message: Message): Promise<void> {
  if (message.author.bot || message.system) return;
  const dm = message.guildId === null;
  const thread = message.channel.isThread() ? message.channel : undefined;
  // A thread belongs to its parent channel for listening, allowlists and the admin channel.
  const channelId = dm ? undefined : (thread?.parentId ?? message.channelId);
  const addressed =
    dm ||
    message.mentions.users.has(ctx.botUserId) ||
    (thread !== undefined && (await ctx.conversationThreads.has(thread.id)));
  const listening = channelId !== undefined && ctx.listenChannels.has(channelId);
  if (!addressed && !listening) return;

  const access = checkAccess(ctx.access, {
    userId: message.author.id,
    roleIds: message.member ? [...message.member.roles.cache.keys()] : [],
    channelId,
  });
  if (!access.allowed) {
    if (addressed) await message.reply(NOT_ALLOWED_TEXT);
    return;
  }
  const send: Send = {
    platform: 'discord',
    sender: {
      id: message.author.id,
      name: message.member?.displayName ?? message.author.displayName,
      isAdmin: access.isAdmin,
    },
    channel: channelId ?? message.channelId,
    thread: thread?.id,
    text: message.content.replace(new RegExp(`<@!?${ctx.botUserId}>`, 'g'), '').trim(),
    mentions: [...message.mentions.users.keys()].filter((id) => id !== ctx.botUserId),
    adminChannel: access.adminChannel,
    direct: dm,
    messageId: message.id,
  };
  if (thread !== undefined) await ctx.conversationThreads.remember(thread.id);
  await answer(ctx.bot, send, messageTarget(message), ctx.log);
}

/** Replies quoting `message`: the first piece as a reply, later pieces in the same channel. */
function messageTarget(message: Message): ReplyTarget<Message> {
  let quoted = false;
  const channel = message.channel;
  return {
    ...DISCORD_REPLY_FORMAT,
    async post(text) {
      if (!quoted || !channel.isSendable()) {
        quoted = true;
        return message.reply(text);
      }
      return channel.send(text);
    },
    async edit(posted, text) {
      await posted.edit(text);
    },
    async typing() {
      if (channel.isSendable()) await channel.sendTyping();
    },
  };
}
