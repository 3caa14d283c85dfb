import { describe, expect, it } from 'vitest';
import { commandToText } from '../../../src/adapters/discord/commands.ts';
import { parseDiscordConfig } from '../../support/configs.ts';

describe('parseDiscordConfig', () => {
  it('is off without DISCORD_TOKEN', () => {
    expect(parseDiscordConfig({})).toBeUndefined();
    expect(parseDiscordConfig({ DISCORD_TOKEN: '  ' })).toBeUndefined();
  });

  it('reads lists, ids and defaults', () => {
    const config = parseDiscordConfig({
      DISCORD_TOKEN: 't0ken',
      DISCORD_ALLOWED_USERS: '1, 2,,3',
      DISCORD_ADMIN_CHANNEL: '99',
      DISCORD_REGISTER_COMMANDS: 'no',
    })!;
    expect([...config.access.allowedUsers]).toEqual(['1', '2', '3']);
    expect(config.access.adminChannel).toBe('99');
    expect(config.registerCommands).toBe(false);
    expect(config.commandsGuild).toBeUndefined();
    expect(config.apiUrl).toBeUndefined();
  });

  it.each([
    [{ DISCORD_ALLOWED_ROLES: '12,abc' }, /DISCORD_ALLOWED_ROLES.*"abc".*Discord ids/],
    [{ DISCORD_ADMIN_CHANNEL: '#ops' }, /DISCORD_ADMIN_CHANNEL.*channel id/],
    [{ DISCORD_REGISTER_COMMANDS: 'maybe' }, /DISCORD_REGISTER_COMMANDS.*true or false/],
    [{ DISCORD_API_URL: 'ftp://x' }, /DISCORD_API_URL.*http/],
  ])('names the variable and the fix for %o', (bad, message) => {
    expect(() => parseDiscordConfig({ DISCORD_TOKEN: 'secret-token', ...bad })).toThrow(message);
  });

  it('never puts the token in an error', () => {
    let error: Error | undefined;
    try {
      parseDiscordConfig({ DISCORD_TOKEN: 'secret token' });
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toMatch(/DISCORD_TOKEN contains whitespace; paste the bot token/);
    expect(error?.message).not.toContain('secret');
  });
});

describe('commandToText', () => {
  const options = (values: Record<string, string | number | boolean>) => ({
    getString: (n: string) => (typeof values[n] === 'string' ? (values[n] as string) : null),
    getInteger: (n: string) => (typeof values[n] === 'number' ? (values[n] as number) : null),
    getBoolean: (n: string) => (typeof values[n] === 'boolean' ? (values[n] as boolean) : null),
  });

  it.each([
    ['send', { text: 'genesis setSlot color "blue"' }, 'genesis setSlot color "blue"'],
    ['ask', { persona: 'ALFRED', text: 'audit persistence' }, 'ALFRED, audit persistence'],
    ['audit', {}, 'alfred auditPersistence'],
    ['history', { object: 'genesis' }, 'history genesis'],
    ['undo', {}, 'undo'],
    ['undo', { tx: 12 }, 'undo 12'],
    ['versions', { object: 'genesis', selector: 'greet' }, 'versions genesis greet'],
    ['revert', { object: 'genesis', selector: 'greet', version: 2 }, 'revert genesis greet 2'],
    ['upgrade', {}, 'upgrade'],
    ['upgrade', { dry_run: true }, 'upgrade --dry-run'],
    ['upgrade', { dry_run: false }, 'upgrade'],
  ] as const)('/%s %o → %s', (name, values, text) => {
    expect(commandToText(name, options(values))).toBe(text);
  });

  it('ignores commands it does not know', () => {
    expect(commandToText('other', options({}))).toBeUndefined();
  });
});
