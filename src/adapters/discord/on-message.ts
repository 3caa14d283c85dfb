/** A Discord message in, a reply out: mentions, DMs, threads, listen channels and the rest. */
import { PermissionFlagsBits, type Message } from 'discord.js';
import type { Place, Reach, Send } from '../../core/protocol.ts';
import { answer } from '../chat/answer.ts';
import type { ReplyTarget } from '../chat/answer.ts';
import { checkAccess, NOT_ALLOWED_TEXT } from '../chat/permissions.ts';
import type { DiscordContext } from './context.ts';
import { DISCORD_REPLY_FORMAT } from './render.ts';

/**
 * Handles one MESSAGE_CREATE: ignores bots, and serves the rest. Whether the bot answers a
 * message nobody addressed to it is the place's reply policy, kept in the image: the message
 * goes to the bot with how it reached it (`reach`) and where it was said (`places`), and a
 * silent reply posts nothing. Only people the access rules let in are heard at all.
 */
export async function onMessage(ctx: DiscordContext, message: Message): Promise<void> {
  if (message.author.bot || message.system) return;
  const dm = message.guildId === null;
  const thread = message.channel.isThread() ? message.channel : undefined;
  // A thread belongs to its parent channel for listening, allowlists and the admin channel.
  const channelId = dm ? undefined : (thread?.parentId ?? message.channelId);
  const mentioned = message.mentions.users.has(ctx.botUserId);
  const reach: Reach = dm
    ? 'direct'
    : mentioned
      ? 'mention'
      : thread !== undefined && (await ctx.conversationThreads.has(thread.id))
        ? 'thread'
        : channelId !== undefined && ctx.listenChannels.has(channelId)
          ? 'listen'
          : 'overheard';

  const access = checkAccess(ctx.access, {
    userId: message.author.id,
    roleIds: message.member ? [...message.member.roles.cache.keys()] : [],
    channelId,
  });
  if (!access.allowed) {
    if (reach === 'direct' || reach === 'mention' || reach === 'thread')
      await message.reply(NOT_ALLOWED_TEXT);
    return;
  }
  const send: Send = {
    platform: 'discord',
    sender: {
      id: message.author.id,
      name: message.member?.displayName ?? message.author.displayName,
      isAdmin: access.isAdmin,
      ...(placeAdmin(message) ? { isPlaceAdmin: true } : {}),
    },
    channel: channelId ?? message.channelId,
    thread: thread?.id,
    text: message.content.replace(new RegExp(`<@!?${ctx.botUserId}>`, 'g'), '').trim(),
    mentions: [...message.mentions.users.keys()].filter((id) => id !== ctx.botUserId),
    adminChannel: access.adminChannel,
    messageId: message.id,
    reach,
    places: placesOf(message),
  };
  const answered = await answer(ctx.bot, send, messageTarget(message), ctx.log);
  if (answered && thread !== undefined) await ctx.conversationThreads.remember(thread.id);
}

/** Where a guild message was said, nearest first: its thread, channel and category; none in a DM. */
function placesOf(message: Message): Place[] {
  const channel = message.channel;
  if (message.guildId === null || channel.isDMBased()) return [];
  const thread = channel.isThread() ? channel : undefined;
  const parent = thread === undefined ? channel : thread.parent;
  const channelId = thread === undefined ? channel.id : thread.parentId;
  const categoryId = parent !== null && 'parentId' in parent ? parent.parentId : null;
  return [
    ...(thread === undefined ? [] : [{ kind: 'thread' as const, id: thread.id }]),
    ...(channelId === null ? [] : [{ kind: 'channel' as const, id: channelId }]),
    ...(categoryId === null ? [] : [{ kind: 'category' as const, id: categoryId }]),
  ];
}

/** Whether the author may manage the channel (or the server) the message was said in. */
function placeAdmin(message: Message): boolean {
  const { member, channel } = message;
  if (member === null || channel.isDMBased()) return false;
  return member
    .permissionsIn(channel)
    .any([PermissionFlagsBits.ManageChannels, PermissionFlagsBits.ManageGuild]);
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
