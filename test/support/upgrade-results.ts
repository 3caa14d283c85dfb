/** What the steward leaves behind, for tests of how the bot reports it. */
import { writeUpgradeResult, type UpgradeRequest } from '../../src/core/upgrade/index.ts';

/** Writes the signed result of a dry run of `request` into `resultsDir`, every step ok. */
export async function writeDryRunResult(
  resultsDir: string,
  request: UpgradeRequest,
  key: string,
): Promise<void> {
  const now = new Date().toISOString();
  await writeUpgradeResult(
    resultsDir,
    {
      id: request.id,
      ok: true,
      dryRun: true,
      requester: request.requester,
      reportTo: request.reportTo,
      steps: request.steps,
      outcomes: request.steps.map((s) => ({
        name: s.name,
        args: s.args,
        status: 'ok',
        durationMs: 0,
      })),
      rolledBack: false,
      imageRestored: false,
      from: request.fromVersion,
      to: request.fromVersion,
      objects: 9,
      startedAt: now,
      finishedAt: now,
    },
    key,
  );
}
