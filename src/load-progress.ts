/**
 * Shows the model's download and load progress: a bar redrawn in place on a terminal, a
 * log line every 10% elsewhere (pm2 logs, pipes).
 */
import type { Logger } from './core/log.ts';
import type { LoadProgress } from './core/mind/index.ts';

const WIDTH = 30;

function gigabytes(bytes: number): string {
  return (bytes / 1024 ** 3).toFixed(2);
}

export function loadProgressReporter(
  log: Logger,
  terminal: NodeJS.WriteStream | undefined,
): (progress: LoadProgress) => void {
  let lastLogged = -10;
  let lastStage: LoadProgress['stage'] | undefined;
  return (progress) => {
    const fraction =
      progress.stage === 'load'
        ? progress.fraction
        : progress.downloadedBytes / Math.max(1, progress.totalBytes);
    const percent = Math.min(100, Math.floor(fraction * 100));
    const what = progress.stage === 'load' ? 'loading the model' : 'downloading the model';
    if (progress.stage !== lastStage) lastLogged = -10;
    lastStage = progress.stage;
    if (terminal?.isTTY) {
      const filled = Math.round((percent / 100) * WIDTH);
      const bytes =
        progress.stage === 'download'
          ? `  ${gigabytes(progress.downloadedBytes)} / ${gigabytes(progress.totalBytes)} GB`
          : '';
      terminal.write(
        `\r${what} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${String(percent).padStart(3)}%${bytes}`,
      );
      if (percent === 100) terminal.write('\n');
    } else if (percent >= lastLogged + 10) {
      lastLogged = percent;
      log.info(`${what}: ${percent}%`);
    }
  };
}
