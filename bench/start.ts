/**
 * Start to ready: how soon BAT OS answers a piped send (no model, no chat front end) after
 * its process starts, and the CPU time it used until then, beside `node -e 1` measured in
 * the same rounds (the floor: Node's own start), for the build `npm start` runs and for the
 * sources through tsx (how BAT OS started before the build). Rounds alternate, so a
 * machine's load falls on every row alike. BATOS_BENCH_BASELINE=<another checkout> adds its
 * `npm start` (its build, when built) as a row, to compare a change with what it changes,
 * in one run.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildState } from '../src/build-info.mjs';
import { formatNumber, median, type BenchTable } from './table.ts';

const ROUNDS = 5;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BASELINE = process.env.BATOS_BENCH_BASELINE;
/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** What a round runs: Node's arguments. */
const WAYS: ReadonlyArray<{ name: string; args: readonly string[]; batos: boolean }> = [
  { name: '`node -e 1` (the floor)', args: ['-e', '1'], batos: false },
  {
    name: 'BAT OS, built (`npm start`)',
    args: [path.join(ROOT, 'src', 'launch.mjs')],
    batos: true,
  },
  {
    name: 'BAT OS, sources through tsx (before)',
    args: ['--import', import.meta.resolve('tsx'), path.join(ROOT, 'src', 'main.ts')],
    batos: true,
  },
  ...(BASELINE === undefined
    ? []
    : [
        {
          name: `baseline ${BASELINE} (its \`npm start\`)`,
          args: [path.join(BASELINE, 'src', 'launch.mjs')],
          batos: true,
        },
      ]),
];

/**
 * The CPU time a live process has used (ms, all its threads), from /proc; NaN where there
 * is no /proc, or the process is gone.
 */
function cpuMsOf(pid: number | undefined): number {
  try {
    // The fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

/** One run: ms from spawn to the first reply on stdout (and the CPU used by then), and to the exit. */
function once(
  args: readonly string[],
  dir: string,
): Promise<{ replyMs: number; replyCpuMs: number; exitMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let replyMs = NaN;
    let replyCpuMs = NaN;
    let stderr = '';
    // Run in the scratch folder, so no .env of the project (with chat tokens) is loaded.
    const child = spawn(process.execPath, args, {
      cwd: dir,
      env: {
        ...process.env,
        BATOS_IMAGE: path.join(dir, 'live_image.db'),
        BATOS_AUDIT_INTERVAL_MINUTES: '0',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdout.once('data', () => {
      replyMs = performance.now() - started;
      replyCpuMs = cpuMsOf(child.pid);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => {
      const exitMs = performance.now() - started;
      if (code === 0) resolve({ replyMs, replyCpuMs, exitMs });
      else reject(new Error(`node ${args.join(' ')} exited with ${code}:\n${stderr}`));
    });
    child.stdin.end('genesis slotNames\n');
  });
}

/** Throws unless `dist/` is built from `src/` as it is: else the launcher would time tsx. */
export function requireCurrentBuild(): void {
  if (buildState(path.join(ROOT, 'src'), path.join(ROOT, 'dist')) !== 'current')
    throw new Error('dist/ is missing or older than src/: run "npm run build" first.');
}

export async function benchStart(): Promise<BenchTable> {
  requireCurrentBuild();
  const dir = await mkdtemp(path.join(tmpdir(), 'batos-bench-start-'));
  const load = loadavg()[0]!;
  try {
    // The image is made once, before the rounds: each start opens an existing one.
    await once(WAYS[1]!.args, dir);
    const times = WAYS.map(() => ({
      reply: [] as number[],
      replyCpu: [] as number[],
      exit: [] as number[],
    }));
    for (let round = 0; round < ROUNDS; round++)
      for (const [i, way] of WAYS.entries()) {
        const { replyMs, replyCpuMs, exitMs } = await once(way.args, dir);
        if (way.batos) {
          times[i]!.reply.push(replyMs);
          if (!Number.isNaN(replyCpuMs)) times[i]!.replyCpu.push(replyCpuMs);
        }
        times[i]!.exit.push(exitMs);
      }
    const s = (values: number[]) =>
      values.length === 0 ? '—' : formatNumber(median(values) / 1000, 2);
    return {
      title: `Start to ready: a piped send, no model, no chat front end (median of ${ROUNDS} alternating rounds, s)`,
      rows: WAYS.map((way, i) => ({
        run: way.name,
        'start → first reply (s)': s(times[i]!.reply),
        'CPU by the first reply (s)': s(times[i]!.replyCpu),
        'start → exit (s)': s(times[i]!.exit),
      })),
      notes: [
        `Node ${process.versions.node}; load average ${formatNumber(load, 1)} when the run began.`,
        'Target: the first reply within 1 s of the start. Exit includes the clean stop (the image closed).',
        "CPU: the process's user and system time (all its threads, from /proc) when its first reply came.",
      ],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
