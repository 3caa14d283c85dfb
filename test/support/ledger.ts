/**
 * A real front-end ledger — the one an image keeps — on a temporary SQLite image, for front
 * ends driven by a bot that is not a whole core (tests' TestBot, the benchmarks' instant bot).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Image } from '../../src/core/image/index.ts';
import type { FrontEndLedger } from '../../src/core/protocol.ts';

/** The ledger of a fresh image; `close()` closes the image and removes its folder. */
export async function temporaryLedger(): Promise<{
  ledger: FrontEndLedger;
  close(): Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'batos-ledger-'));
  const image = await Image.open(join(dir, 'image.db'));
  return {
    ledger: image.ledger,
    async close() {
      await image.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
