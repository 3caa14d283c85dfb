/**
 * Files upgrade requests for the steward: the chat text selects steps from the allow-list,
 * and a signed request goes into the upgrade folder. No chat text ever reaches a shell.
 */
import { SendError } from '../errors.ts';
import type { Send } from '../protocol.ts';
import {
  createUpgradeRequest,
  describeUpgradePlan,
  parseUpgradeCommand,
  readAppVersion,
  upgradeLayout,
  writeUpgradeRequest,
} from '../upgrade/index.ts';
import type { UpgradeDesk } from './bot.ts';

export interface StewardDeskOptions {
  /** The application folder (a git work tree). */
  readonly appDir: string;
  /** The upgrade folder shared with the steward. */
  readonly upgradeDir: string;
  /** The HMAC key shared with the steward (BATOS_UPGRADE_KEY). */
  readonly key: string;
}

export function stewardUpgradeDesk(options: StewardDeskOptions): UpgradeDesk {
  return {
    async request(send: Send, words: readonly string[]): Promise<string> {
      const parsed = parseUpgradeCommand(['upgrade', ...words].join(' '));
      if (!parsed.ok) throw new SendError('bad-argument', parsed.error);
      const request = createUpgradeRequest({
        steps: parsed.steps,
        dryRun: parsed.dryRun,
        requester: { platform: send.platform, id: send.sender.id, name: send.sender.name },
        reportTo: {
          platform: send.platform,
          channel: send.channel,
          ...(send.thread === undefined ? {} : { thread: send.thread }),
        },
        fromVersion: await readAppVersion(options.appDir),
      });
      await writeUpgradeRequest(upgradeLayout(options.upgradeDir).requests, request, options.key);
      return describeUpgradePlan(request);
    },
  };
}
