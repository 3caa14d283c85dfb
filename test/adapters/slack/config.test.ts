import { describe, expect, it } from 'vitest';
import { parseSlackConfig } from '../../support/configs.ts';

const base = { SLACK_BOT_TOKEN: 'xoxb-secret', SLACK_SIGNING_SECRET: 'shh' };

describe('parseSlackConfig', () => {
  it('is off without SLACK_BOT_TOKEN', () => {
    expect(parseSlackConfig({ SLACK_SIGNING_SECRET: 'x' })).toBeUndefined();
  });

  it('defaults to HTTP on 127.0.0.1:3000', () => {
    const config = parseSlackConfig(base)!;
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      appToken: undefined,
      processBeforeResponse: false,
      apiRetries: undefined,
    });
  });

  it('selects Socket Mode with an app token, where no signing secret is needed', () => {
    expect(
      parseSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' })!.appToken,
    ).toBe('xapp-1');
  });

  it.each([
    [{ SLACK_BOT_TOKEN: 'xoxp-user-token' }, /SLACK_BOT_TOKEN.*xoxb-/],
    [{ SLACK_SIGNING_SECRET: '' }, /SLACK_SIGNING_SECRET is required.*SLACK_APP_TOKEN/],
    [{ SLACK_APP_TOKEN: 'xoxb-wrong' }, /SLACK_APP_TOKEN.*xapp-/],
    [{ SLACK_PORT: '70000' }, /SLACK_PORT.*0 to 65535/],
    [{ SLACK_ADMIN_USERS: 'alice' }, /SLACK_ADMIN_USERS.*"alice".*user ids/],
    [{ SLACK_LISTEN_CHANNELS: '#general' }, /SLACK_LISTEN_CHANNELS.*channel ids/],
  ])('names the variable and the fix for %o', (bad, message) => {
    let error: Error | undefined;
    try {
      parseSlackConfig({ ...base, ...bad });
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toMatch(message);
    expect(error?.message).not.toMatch(/xoxp-user-token|xoxb-secret|xoxb-wrong|shh/);
  });
});
