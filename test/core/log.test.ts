import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/log.ts';

function captured(options: Parameters<typeof createLogger>[0]) {
  const lines: string[] = [];
  const log = createLogger({ ...options, write: (line) => lines.push(line) });
  log.info('one', { n: 1 });
  log.warn('two');
  log.error('three');
  return lines;
}

describe('createLogger', () => {
  it('writes one text line per entry, with one timestamp', () => {
    const lines = captured({ source: 'steward' });
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z steward info one \{"n":1\}\n$/,
    );
    expect(lines[2]).toMatch(/ steward error three\n$/);
  });

  it('drops entries below BATOS_LOG_LEVEL', () => {
    expect(captured({ level: 'warn' }).map((l) => l.split(' ')[2])).toEqual(['warn', 'error']);
    expect(captured({ level: 'error' })).toHaveLength(1);
  });

  it('writes one JSON object per line with BATOS_LOG_FORMAT=json', () => {
    const [first, second] = captured({ format: 'json' }).map((l) => JSON.parse(l) as unknown);
    expect(first).toMatchObject({
      source: 'batos',
      level: 'info',
      message: 'one',
      detail: { n: 1 },
    });
    expect(second).not.toHaveProperty('detail');
    expect(Number.isNaN(Date.parse((first as { time: string }).time))).toBe(false);
  });
});
