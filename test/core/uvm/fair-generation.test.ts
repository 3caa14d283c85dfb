/**
 * Methods are written fairly: with the real forged model writing one at a time, people who
 * ask while someone else's requests queue are served round robin, not in arrival order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mind } from '../../../src/core/mind/index.ts';
import { QuickJsMethodRunner } from '../../../src/core/sandbox/index.ts';
import { MindMethodWriter } from '../../../src/core/uvm/mind-writer.ts';
import type { MethodRequest } from '../../../src/core/uvm/method-writer.ts';
import { forged, tinyConfig } from '../../support/forged.ts';

let mind: Mind;
const checker = new QuickJsMethodRunner();

beforeAll(async () => {
  mind = await Mind.load(tinyConfig((await forged()).model));
});
afterAll(async () => {
  await mind.close();
  await checker.close();
});

function request(requestedBy: string, selector: string): MethodRequest {
  return {
    oid: 3,
    name: 'genesis',
    slotNames: ['parent*'],
    parents: [{ oid: 2, name: 'traits' }],
    selector,
    args: [],
    requestedBy,
  };
}

describe('fair method writing', () => {
  it('serves people round robin, one method each while others wait', async () => {
    const writer = new MindMethodWriter(mind, checker, 1);
    const written: string[] = [];
    const asks = [
      ['discord:ann', 'annFirst'],
      ['discord:ann', 'annSecond'],
      ['discord:ann', 'annThird'],
      ['discord:bo', 'boFirst'],
      ['slack:cy', 'cyFirst'],
    ] as const;
    await Promise.all(
      asks.map(async ([who, selector]) => {
        const method = await writer.write(request(who, selector));
        expect(method.provenance.by).toBe(who);
        written.push(selector);
      }),
    );
    // ann's first was written at once; bo and cy, not yet served, go before ann's second.
    expect(written).toEqual(['annFirst', 'boFirst', 'cyFirst', 'annSecond', 'annThird']);
  });

  it('lets a waiting request be cancelled without writing it', async () => {
    const writer = new MindMethodWriter(mind, checker, 1);
    const first = writer.write(request('discord:ann', 'annFirst'));
    const controller = new AbortController();
    const cancelled = writer.write(request('discord:bo', 'boFirst'), controller.signal);
    controller.abort();
    await expect(cancelled).rejects.toMatchObject({ code: 'generation-failed' });
    await expect(first).resolves.toMatchObject({ provenance: { by: 'discord:ann' } });
  });
});
