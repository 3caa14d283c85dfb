import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Image } from '../../../src/core/image/index.ts';
import { tempDir } from '../../support/temp.ts';

const CHILD = new URL('../../support/fixtures/crash-child.ts', import.meta.url).pathname;

/** What the child acknowledged: the stepping send's last number, and each counter's. */
interface Acknowledged {
  step: number;
  counters: Map<number, number>;
}

/**
 * Starts the child and SIGKILLs it a random while after it has acknowledged a stepping send
 * and a concurrent one: every round kills amid acknowledged work, however slow the machine.
 */
function runAndKill(imagePath: string, killAfterMs: number): Promise<Acknowledged> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, imagePath], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acknowledged: Acknowledged = { step: 0, counters: new Map() };
    let buffer = '';
    let stderr = '';
    let ready = false;
    let armed = false;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        if (line === 'ready') ready = true;
        const ok = /^ok(\d*) (\d+)$/.exec(line);
        if (ok?.[1] === '') acknowledged.step = Number(ok[2]);
        else if (ok) acknowledged.counters.set(Number(ok[1]), Number(ok[2]));
        if (ready && !armed && acknowledged.step > 0 && acknowledged.counters.size > 0) {
          armed = true;
          setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        }
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited ${code}: ${stderr}`));
      else resolve(acknowledged);
    });
  });
}

describe('crash safety', () => {
  it('survives 20 SIGKILLs at random moments amid concurrent senders: intact, every acknowledged send present, none half-applied', async () => {
    const path = join(tempDir(), 'image.db');
    let highest = 0;
    let counted = 0;
    for (let round = 0; round < 20; round += 1) {
      const acknowledged = await runAndKill(path, Math.floor(Math.random() * 150));
      // Each round acknowledged a step past what the image held: it must be there now.
      expect(acknowledged.step, `round ${round}`).toBeGreaterThan(highest);
      highest = acknowledged.step;
      const image = await Image.open(path);
      try {
        expect(image.integrityCheck()).toBe('ok');
        const genesis = image.read(3)!;
        const twin = image.read(4)!;
        const a = genesis.get('a');
        const value = a?.kind === 'value' ? (a.value as number) : 0;
        expect(value, `round ${round}`).toBeGreaterThanOrEqual(highest);
        expect(genesis.get('b')).toEqual(a);
        expect(twin.get('n')).toEqual(a);
        highest = value;
        // Each concurrent sender restarts its count every round: what it was told is there.
        for (const [k, count] of acknowledged.counters) {
          const stored = genesis.get(`c${k}`);
          expect(stored?.kind === 'value' ? stored.value : 0, `c${k}`).toBeGreaterThanOrEqual(
            count,
          );
          counted += count;
        }
      } finally {
        await image.close();
      }
    }
    // Behaviour, not speed: every one of the 20 rounds had acknowledged sends to lose.
    expect(highest).toBeGreaterThanOrEqual(20);
    expect(counted).toBeGreaterThanOrEqual(20);
  }, 240_000);
});
