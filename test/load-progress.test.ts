import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadProgressReporter } from '../src/load-progress.ts';

function memoryLog() {
  const lines: string[] = [];
  return { lines, log: { info: (m: string) => lines.push(m), warn: () => {}, error: () => {} } };
}

describe('loadProgressReporter', () => {
  it('draws a bar in place on a terminal, with gigabytes while downloading', () => {
    const terminal = Object.assign(new PassThrough(), {
      isTTY: true,
    }) as unknown as NodeJS.WriteStream;
    let drawn = '';
    (terminal as unknown as PassThrough).on('data', (d: Buffer) => (drawn += d.toString()));
    const { log, lines } = memoryLog();
    const report = loadProgressReporter(log, terminal);
    report({ stage: 'download', downloadedBytes: 2 * 1024 ** 3, totalBytes: 4 * 1024 ** 3 });
    report({ stage: 'download', downloadedBytes: 4 * 1024 ** 3, totalBytes: 4 * 1024 ** 3 });
    expect(drawn).toContain(
      '\rdownloading the model [###############...............]  50%  2.00 / 4.00 GB',
    );
    expect(drawn).toMatch(/100% {2}4\.00 \/ 4\.00 GB\n$/);
    expect(lines).toEqual([]);
  });

  it('logs every tenth elsewhere, starting again for each stage', () => {
    const { log, lines } = memoryLog();
    const report = loadProgressReporter(log, undefined);
    for (let i = 0; i <= 100; i += 5) report({ stage: 'load', fraction: i / 100 });
    expect(lines).toEqual(
      [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((p) => `loading the model: ${p}%`),
    );
  });
});
