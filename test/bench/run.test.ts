import { describe, expect, it } from 'vitest';
import { runBenches } from '../../bench/run.ts';

const table = (title: string) => ({ title, rows: [{ what: title, value: 1 }] });

describe('a benchmark run', () => {
  it('goes on past a table that fails, prints why, and names it', async () => {
    const printed: string[] = [];
    const failed = await runBenches(
      {
        first: async () => table('first table'),
        broken: async () => {
          throw new Error('the server dropped its connection');
        },
        last: async () => [table('last table'), table('its second table')],
      },
      [],
      { table: (text) => printed.push(text), progress: () => {} },
    );
    expect(failed).toEqual(['broken']);
    const out = printed.join('');
    expect(out).toContain('first table');
    expect(out).toMatch(/## broken: FAILED, no table\n\nError: the server dropped its connection/u);
    expect(out).toContain('last table');
    expect(out).toContain('its second table');
  });

  it('runs only the benchmarks named', async () => {
    const ran: string[] = [];
    const bench = (name: string) => async () => (ran.push(name), table(name));
    const failed = await runBenches({ a: bench('a'), b: bench('b'), c: bench('c') }, ['c', 'a'], {
      table: () => {},
      progress: () => {},
    });
    expect(failed).toEqual([]);
    expect(ran).toEqual(['a', 'c']);
  });
});
