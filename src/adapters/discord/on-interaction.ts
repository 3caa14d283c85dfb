/** A Discord slash command in, a reply out: the command becomes a text line for the core. */
import { MessageFlags } from 'discord.js';
import type { ChatInputCommandInteraction, Interaction, Message } from 'discord.js';
import type { Send } from '../../core/protocol.ts';
import { answer } from '../chat/answer.ts';
import type { ReplyTarget } from '../chat/answer.ts';
import { checkAccess, NOT_ALLOWED_TEXT } from '../chat/permissions.ts';
import { commandToText } from './commands.ts';
import type { DiscordContext } from './context.ts';
import { DISCORD_REPLY_FORMAT } from './render.ts';

/** Handles one INTERACTION_CREATE for our slash commands; other interactions are ignored. */
export async function onInteraction(ctx: DiscordContext, interaction: Interaction): Promise<void> {
  if (!interaction.isChatInputCommand()) return;
  const text = commandToText(interaction.commandName, interaction.options);
  if (text === undefined) return;
  const dm = interaction.guildId === null;
  const channel = interaction.channel;
  const thread = channel?.isThread() ? channel : undefined;
  const channelId = dm ? undefined : (thread?.parentId ?? interaction.channelId);

  const access = checkAccess(ctx.access, {
    userId: interaction.user.id,
    roleIds: memberRoleIds(interaction),
    channelId,
  });
  if (!access.allowed) {
    await interaction.reply({ content: NOT_ALLOWED_TEXT, flags: MessageFlags.Ephemeral });
    return;
  }
  // Discord wants an answer within 3 s; "thinking…" stands in until the core replies.
  await interaction.deferReply();
  const member = interaction.member;
  const send: Send = {
    platform: 'discord',
    sender: {
      id: interaction.user.id,
      name:
        member !== null && 'displayName' in member
          ? member.displayName
          : interaction.user.displayName,
      isAdmin: access.isAdmin,
    },
    channel: channelId ?? interaction.channelId,
    thread: thread?.id,
    text,
    mentions: [],
    adminChannel: access.adminChannel,
    messageId: interaction.id,
  };
  await answer(ctx.bot, send, interactionTarget(interaction), ctx.log);
}

/** Role ids of the invoking member, whether discord.js has the guild cached or not. */
function memberRoleIds(interaction: ChatInputCommandInteraction): string[] {
  const roles = interaction.member?.roles;
  if (roles === undefined) return [];
  return Array.isArray(roles) ? roles : [...roles.cache.keys()];
}

/** The deferred reply becomes the first piece; later pieces are follow-ups. */
function interactionTarget(interaction: ChatInputCommandInteraction): ReplyTarget<Message> {
  let first = true;
  return {
    ...DISCORD_REPLY_FORMAT,
    async post(text) {
      if (!first) return interaction.followUp(text);
      first = false;
      return interaction.editReply(text);
    },
    async edit(posted, text) {
      await interaction.editReply({ content: text, message: posted });
    },
  };
}
