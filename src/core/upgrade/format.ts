/**
 * The texts the bot says about upgrades: the plan when asked, the result when back.
 */
import type { AppVersion, UpgradeRequest } from './request.ts';
import type { UpgradeResult } from './result.ts';
import { formatStep } from './steps.ts';

/** `1.3.0 (d4e5f6a)`. */
export function formatVersion(v: AppVersion): string {
  return `${v.version} (${v.revision.slice(0, 7)})`;
}

/** What the bot answers when it has written a request. */
export function describeUpgradePlan(request: UpgradeRequest): string {
  const steps = request.steps.map(formatStep).join(', ');
  return request.dryRun
    ? `Upgrade ${request.id} dry run requested: ${steps}. Nothing will be stopped or changed; the plan follows shortly.`
    : `Upgrade ${request.id} requested: ${steps}. Back shortly.`;
}

const objectsText = (n: number | null): string =>
  n === null ? 'object count unknown' : `${n.toLocaleString('en-US')} objects`;

/** What the bot says about a finished upgrade (possibly several lines, with a log tail). */
export function formatUpgradeResult(result: UpgradeResult): string {
  const image = `${result.imageRestored ? 'image restored from backup' : 'image intact'}, ${objectsText(result.objects)}`;
  if (result.dryRun) {
    const plan = result.outcomes
      .map((o) =>
        o.status === 'skipped'
          ? `${o.name} (skipped: ${o.note ?? ''})`
          : [o.name, ...o.args].join(' '),
      )
      .join(', ');
    const problem = result.failure ? ` It would fail: ${result.failure.reason}.` : '';
    return `Upgrade ${result.id} dry run on ${formatVersion(result.from)}: would run ${plan}. Nothing was changed.${problem}`;
  }
  const down =
    result.downtimeMs === undefined
      ? ''
      : `; the bot was down ${(result.downtimeMs / 1000).toFixed(1)} s`;
  if (result.ok && result.to.revision === result.from.revision && !result.rolledBack) {
    return `Upgrade ${result.id}: already at ${formatVersion(result.from)}, nothing to swap in; the bot was not stopped.`;
  }
  if (result.ok) {
    return `Upgrade ${result.id} done: ${formatVersion(result.from)} → ${formatVersion(result.to)}; ${image}${down}.`;
  }
  const failure = result.failure!;
  const head = `Upgrade ${result.id} failed at ${failure.step}: ${failure.reason}.`;
  const back = !result.rolledBack
    ? ` Nothing was changed; still ${formatVersion(result.to)}; ${image}.`
    : result.rollbackOk
      ? ` Rolled back to ${formatVersion(result.to)}; ${image}${down}.`
      : ` Rollback to ${formatVersion(result.from)} FAILED too (${result.rollbackFailure ?? 'unknown'}); check the logs (npm run serve:logs).`;
  const tail = failure.logTail.trim();
  return tail === ''
    ? head + back
    : `${head}${back}\nLast output of ${failure.step}:\n\`\`\`\n${tail}\n\`\`\``;
}
