/** The Discord slash commands, and the text line each one becomes. */
import { SlashCommandBuilder } from 'discord.js';
import type { RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';

/**
 * The commands registered at start, as Discord's API takes them; `/ask` offers `personas`
 * (the personas' names, handed in by the composition root).
 */
export function slashCommands(
  personas: readonly string[],
): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  return [
    new SlashCommandBuilder()
      .setName('send')
      .setDescription('Send a line to BAT OS, e.g. genesis setSlot color "blue"')
      .addStringOption((o) => o.setName('text').setDescription('The line').setRequired(true)),
    new SlashCommandBuilder()
      .setName('ask')
      .setDescription('Ask one persona')
      .addStringOption((o) =>
        o
          .setName('persona')
          .setDescription('Who answers')
          .setRequired(true)
          .addChoices(...personas.map((name) => ({ name, value: name }))),
      )
      .addStringOption((o) => o.setName('text').setDescription('The question').setRequired(true)),
    new SlashCommandBuilder().setName('audit').setDescription('ALFRED audits persistence'),
    new SlashCommandBuilder()
      .setName('history')
      .setDescription("An object's change history")
      .addStringOption((o) => o.setName('object').setDescription('Object name').setRequired(true)),
    new SlashCommandBuilder()
      .setName('undo')
      .setDescription('Undo the last change, or one transaction')
      .addIntegerOption((o) => o.setName('tx').setDescription('Transaction number').setMinValue(1)),
    new SlashCommandBuilder()
      .setName('versions')
      .setDescription("A method's versions: who, when, where from, source")
      .addStringOption((o) => o.setName('object').setDescription('Object name').setRequired(true))
      .addStringOption((o) => o.setName('selector').setDescription('Method').setRequired(true)),
    new SlashCommandBuilder()
      .setName('revert')
      .setDescription('Put a version of a method back (as /versions numbers them)')
      .addStringOption((o) => o.setName('object').setDescription('Object name').setRequired(true))
      .addStringOption((o) => o.setName('selector').setDescription('Method').setRequired(true))
      .addIntegerOption((o) =>
        o.setName('version').setDescription('Version number').setMinValue(1).setRequired(true),
      ),
    new SlashCommandBuilder()
      .setName('upgrade')
      .setDescription('Upgrade the bot (admins, in the admin channel)')
      .addBooleanOption((o) => o.setName('dry_run').setDescription('Only say what would happen')),
  ].map((builder) => builder.toJSON());
}

/** A command's options, as far as the mapping needs them. */
export interface CommandOptions {
  getString(name: string): string | null;
  getInteger(name: string): number | null;
  getBoolean(name: string): boolean | null;
}

/** The text line a slash command stands for, or `undefined` for an unknown command. */
export function commandToText(name: string, options: CommandOptions): string | undefined {
  switch (name) {
    case 'send':
      return options.getString('text') ?? '';
    case 'ask':
      return `${(options.getString('persona') ?? '').toUpperCase()}, ${options.getString('text') ?? ''}`;
    case 'audit':
      return 'alfred auditPersistence';
    case 'history':
      return `history ${options.getString('object') ?? ''}`;
    case 'undo': {
      const tx = options.getInteger('tx');
      return tx === null ? 'undo' : `undo ${tx}`;
    }
    case 'versions':
      return `versions ${options.getString('object') ?? ''} ${options.getString('selector') ?? ''}`;
    case 'revert':
      return `revert ${options.getString('object') ?? ''} ${options.getString('selector') ?? ''} ${options.getInteger('version') ?? ''}`;
    case 'upgrade':
      return options.getBoolean('dry_run') === true ? 'upgrade --dry-run' : 'upgrade';
    default:
      return undefined;
  }
}
