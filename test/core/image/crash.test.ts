import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Image } from '../../../src/core/image/index.ts';
import { tempDir } from '../../support/temp.ts';

const CHILD = new URL('./crash-child.ts', import.meta.url).pathname;

/** Starts the child, waits for `sends` acknowledged commits past a random point, SIGKILLs it. */
function runAndKill(imagePath: string, killAfterMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, imagePath], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let acknowledged = 0;
    let buffer = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        if (line === 'ready') setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        const ok = /^ok (\d+)$/.exec(line);
        if (ok) acknowledged = Number(ok[1]);
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
  it('survives 20 SIGKILLs at random moments: intact, every acknowledged send present, none half-applied', async () => {
    const path = join(tempDir(), 'image.db');
    let highest = 0;
    for (let round = 0; round < 20; round += 1) {
      const acknowledged = await runAndKill(path, 20 + Math.floor(Math.random() * 150));
      highest = Math.max(highest, acknowledged);
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
      } finally {
        await image.close();
      }
    }
    expect(highest).toBeGreaterThan(20);
  }, 240_000);
});
