import { describe, expect, it } from 'vitest';
import { auditKindOf, renderAuditReport } from '../../src/personas/index.ts';
import type { AuditSummary } from '../../src/personas/index.ts';

const clean: AuditSummary = {
  at: '2026-11-26T14:02:09.000Z',
  objects: 1204,
  methods: 312,
  findings: [],
  integrity: 'ok',
};

describe('renderAuditReport', () => {
  it('gives a clean image a short clean bill', () => {
    expect(renderAuditReport(clean)).toBe(
      'Indeed, sir. I have examined 1,204 objects and 312 methods as of 14:02 UTC on 2026-11-26. ' +
        'The image is in good order: the integrity check passes, no write is lost, and nothing is out of place.',
    );
  });

  it('mentions what garbage collection removed', () => {
    expect(renderAuditReport({ ...clean, collected: 1 })).toMatch(
      / I took the liberty of collecting 1 unreachable object\.$/u,
    );
    expect(renderAuditReport({ ...clean, collected: 0 })).toBe(renderAuditReport(clean));
  });

  it('counts the findings it does not list', () => {
    const report = renderAuditReport({
      ...clean,
      findings: [{ kind: 'unreachable', oid: 90, message: 'not reachable from the root' }],
      omitted: 4,
    });
    expect(report).toContain('I regret to report 5 matters requiring attention.');
    expect(report).toContain('\n\n4 further matters I have not listed, for brevity.\n');
  });

  it('uses the singular for one object and one method', () => {
    expect(renderAuditReport({ ...clean, objects: 1, methods: 1 })).toContain(
      'examined 1 object and 1 method',
    );
  });

  it('lists every finding plainly, grouped by kind in a fixed order', () => {
    const report = renderAuditReport({
      ...clean,
      integrity: 'row 12 missing from index slots_oid',
      collected: 2,
      findings: [
        { kind: 'unreachable', oid: 90, message: 'not reachable from the root' },
        {
          kind: 'lost-write',
          oid: 42,
          slot: 'addItem',
          message: "3:3: xs holds the value of slot 'items' and is changed here (push())",
        },
        {
          kind: 'dangling-reference',
          oid: 7,
          slot: 'friend',
          message: 'refers to #99, which does not exist',
        },
        {
          kind: 'lost-write',
          oid: 43,
          slot: 'tally',
          message: "2:1: n holds the value of slot 'count'",
        },
        { kind: 'history', message: 'transaction 17 has no entries' },
      ],
    });
    expect(report).toBe(
      [
        'Indeed, sir. I have examined 1,204 objects and 312 methods as of 14:02 UTC on 2026-11-26. I regret to report 6 matters requiring attention.',
        '',
        'Database integrity:',
        '- The integrity check reports: row 12 missing from index slots_oid',
        '',
        'Lost writes:',
        "- #42 'addItem': 3:3: xs holds the value of slot 'items' and is changed here (push())",
        "- #43 'tally': 2:1: n holds the value of slot 'count'",
        '',
        'Dangling references:',
        "- #7 'friend': refers to #99, which does not exist",
        '',
        'Unreachable objects:',
        '- #90: not reachable from the root',
        '',
        'History:',
        '- transaction 17 has no entries',
        '',
        'I took the liberty of collecting 2 unreachable objects. Otherwise I have changed nothing; the remedies are yours to approve, sir.',
      ].join('\n'),
    );
  });

  it('uses the singular for one matter and shows an unreadable timestamp as given', () => {
    const report = renderAuditReport({
      ...clean,
      at: 'just now',
      findings: [
        { kind: 'forbidden', oid: 5, slot: 'hack', message: "1:20: 'process' is host authority" },
      ],
    });
    expect(report).toContain('as of just now. I regret to report 1 matter requiring attention.');
    expect(report).toContain(
      "Forbidden forms in methods:\n- #5 'hack': 1:20: 'process' is host authority",
    );
  });
});

describe('auditKindOf', () => {
  it('files each method-analysis code under an audit kind', () => {
    expect(
      (
        ['parse', 'shape', 'self-param', 'size', 'forbidden', 'self-api', 'lost-write'] as const
      ).map(auditKindOf),
    ).toEqual(['parse', 'parse', 'parse', 'size', 'forbidden', 'forbidden', 'lost-write']);
  });
});
