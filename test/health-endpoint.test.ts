import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startHealthEndpoint, type Phase } from '../src/health-endpoint.ts';
import { REPO_ROOT } from './support/run-batos.ts';
import { tempDir } from './support/temp.ts';

async function get(port: number, path: string, method = 'GET'): Promise<[number, unknown]> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  return [res.status, method === 'GET' ? await res.json() : undefined];
}

describe('the health endpoint', () => {
  it('is ready only while the phase says so', async () => {
    let phase: Phase = 'starting';
    const endpoint = await startHealthEndpoint({ host: '127.0.0.1', port: 0 }, () => phase);
    try {
      expect(await get(endpoint.port, '/healthz')).toEqual([200, { ok: true, phase: 'starting' }]);
      expect(await get(endpoint.port, '/readyz')).toEqual([
        503,
        { ready: false, phase: 'starting' },
      ]);
      phase = 'ready';
      expect(await get(endpoint.port, '/readyz')).toEqual([200, { ready: true, phase: 'ready' }]);
      phase = 'stopping';
      expect(await get(endpoint.port, '/readyz')).toEqual([
        503,
        { ready: false, phase: 'stopping' },
      ]);
      expect(await get(endpoint.port, '/healthz')).toEqual([200, { ok: true, phase: 'stopping' }]);
      expect((await get(endpoint.port, '/nothing'))[0]).toBe(404);
      expect((await get(endpoint.port, '/readyz', 'POST'))[0]).toBe(405);
    } finally {
      await endpoint.close();
    }
  });
});

describe('npm start with BATOS_HEALTH_PORT', () => {
  it('reports ready once up, and leaves no health file behind after SIGTERM', async () => {
    const dir = tempDir();
    const healthFile = join(dir, 'health.json');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        BATOS_IMAGE: join(dir, 'image.db'),
        BATOS_MODEL: join(dir, 'none.gguf'),
        BATOS_HEALTH_FILE: healthFile,
        BATOS_HEALTH_PORT: '0',
        BATOS_LOG_FORMAT: 'json',
        BATOS_CONSOLE: 'off',
        BATOS_THREADS: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const lines: Record<string, unknown>[] = [];
    const seen = (match: (line: Record<string, unknown>) => boolean) =>
      new Promise<Record<string, unknown>>((resolve) => {
        const look = () => {
          const line = lines.find(match);
          if (line) resolve(line);
          else setTimeout(look, 20);
        };
        look();
      });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const complete = stderr.split('\n');
      stderr = complete.pop()!;
      for (const line of complete) lines.push(JSON.parse(line) as Record<string, unknown>);
    });
    const announced = await seen((l) => /^health endpoint: /.test(String(l.message)));
    const port = Number(/:(\d+)\/readyz$/.exec(String(announced.message))![1]);
    await seen((l) => /^ready: /.test(String(l.message)));
    expect(await get(port, '/readyz')).toEqual([200, { ready: true, phase: 'ready' }]);
    expect(JSON.parse(readFileSync(healthFile, 'utf8'))).toMatchObject({
      ready: true,
      pid: child.pid,
    });

    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(existsSync(healthFile)).toBe(false);
    // Every log line was one JSON object with one timestamp.
    for (const line of lines) {
      expect(Object.keys(line).slice(0, 4)).toEqual(['time', 'source', 'level', 'message']);
      expect(String(line.time)).toMatch(/^\d{4}-\d\d-\d\dT/);
    }
    expect(lines.map((l) => l.message)).toContain('image closed; goodbye');
  });
});
