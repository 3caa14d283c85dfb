/**
 * Many processes over one image: durable sends/s on PostgreSQL beside SQLite, with 1, 4 and
 * 16 concurrent senders, in one process and spread over four; and what cache coherence
 * costs a send that follows another process's write to the same object. The PostgreSQL
 * server is a fresh one in a temporary folder (the tests' fixture), fsync on.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Image } from '../src/core/image/index.ts';
import { QuickJsMethodRunner } from '../src/core/sandbox/index.ts';
import { SENDS_AT_ONCE } from '../src/core/uvm/send-gate.ts';
import { Uvm } from '../src/core/uvm/uvm.ts';
import { createDatabase, PostgresServer } from '../test/support/postgres-server.ts';
import { sendLine } from './operator.ts';
import { bareSendsPerSecond } from './pg-bare.ts';
import { pgbenchTps } from './pgbench.ts';
import { postmasterPid, serverCpuSeconds } from './server-cpu.ts';
import { formatNumber, percentile, type BenchTable } from './table.ts';

const CHILD = new URL('./scale-child.ts', import.meta.url).pathname;
const SECONDS = 3;

async function bootstrapped(location: string): Promise<void> {
  const uvm = new Uvm({ image: await Image.open(location), runner: new QuickJsMethodRunner() });
  await uvm.bootstrap({ who: 'system:bench', platform: 'console' });
  await uvm.close();
}

/** What BAT OS processes did together: sends/s summed, and their CPU per send. */
interface Throughput {
  readonly perSecond: number;
  readonly cpuMsPerSend: number;
  /** The PostgreSQL server's CPU per send, as one process measured it; absent if unread. */
  readonly serverMsPerSend?: number;
}

/** Runs `processes` BAT OS processes with `senders` senders each. */
async function sendsPerSecond(
  location: string,
  processes: number,
  senders: number,
): Promise<Throughput> {
  const runs = Array.from(
    { length: processes },
    () =>
      new Promise<{ sends: number; seconds: number; cpu: number; server?: number }>(
        (resolve, reject) => {
          const child = spawn(
            process.execPath,
            ['--import', 'tsx', CHILD, location, String(senders), String(SECONDS * 1000)],
            { stdio: ['ignore', 'pipe', 'inherit'] },
          );
          let out = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.on('error', reject);
          child.on('exit', (code) => {
            const measured = /sends (\d+) seconds ([\d.]+) cpu ([\d.]+) server ([\d.]+|-)/.exec(
              out,
            );
            if (code !== 0 || measured === null) reject(new Error(`bench process exited ${code}`));
            else
              resolve({
                sends: Number(measured[1]),
                seconds: Number(measured[2]),
                cpu: Number(measured[3]),
                ...(measured[4] === '-' ? {} : { server: Number(measured[4]) }),
              });
          });
        },
      ),
  );
  const measured = await Promise.all(runs);
  const sends = measured.reduce((sum, m) => sum + m.sends, 0);
  const server = measured.length === 1 ? measured[0]!.server : undefined;
  return {
    perSecond: measured.reduce((sum, m) => sum + m.sends / m.seconds, 0),
    cpuMsPerSend: (1000 * measured.reduce((sum, m) => sum + m.cpu, 0)) / sends,
    ...(server === undefined ? {} : { serverMsPerSend: (1000 * server) / sends }),
  };
}

async function throughput(server: PostgresServer, dir: string): Promise<BenchTable> {
  const rows = [];
  let round = 0;
  const anchorUrl = await createDatabase(server.url(), 'bench_pgbench');
  const postmaster = await postmasterPid(anchorUrl);
  const bareUrl = await createDatabase(server.url(), 'bench_bare');
  await bootstrapped(bareUrl);
  let anchorMissing: string | undefined;
  for (const senders of [1, 4, 16]) {
    round += 1;
    const sqlite = join(dir, `image-${round}.db`);
    await bootstrapped(sqlite);
    const one = await createDatabase(server.url(), `bench_one_${round}`);
    await bootstrapped(one);
    const four = await createDatabase(server.url(), `bench_four_${round}`);
    await bootstrapped(four);
    const serverBefore = serverCpuSeconds(postmaster);
    const anchor = await pgbenchTps(anchorUrl, dir, senders, SECONDS);
    const serverAfter = serverCpuSeconds(postmaster);
    if (typeof anchor !== 'number') anchorMissing = anchor.unavailable;
    const anchorServerMs =
      typeof anchor === 'number' && serverBefore !== undefined && serverAfter !== undefined
        ? (1000 * (serverAfter - serverBefore)) / (anchor * SECONDS)
        : undefined;
    const bare = await bareSendsPerSecond(bareUrl, senders, SECONDS);
    const postgres = await sendsPerSecond(one, 1, senders);
    rows.push({
      'concurrent senders': String(senders),
      'pgbench tps (anchor)': typeof anchor === 'number' ? formatNumber(anchor) : '—',
      'PostgreSQL, one process': formatNumber(postgres.perSecond),
      '÷ pgbench': typeof anchor === 'number' ? formatNumber(postgres.perSecond / anchor, 3) : '—',
      'the same rows bare (node-pg)': formatNumber(bare),
      '÷ bare': formatNumber(postgres.perSecond / bare, 2),
      'bare ÷ pgbench': typeof anchor === 'number' ? formatNumber(bare / anchor, 2) : '—',
      'BAT OS CPU ms per send': formatNumber(postgres.cpuMsPerSend, 2),
      'server CPU ms per send (per pgbench transaction)':
        postgres.serverMsPerSend === undefined
          ? '—'
          : `${formatNumber(postgres.serverMsPerSend, 2)} (${anchorServerMs === undefined ? '—' : formatNumber(anchorServerMs, 2)})`,
      'PostgreSQL, four processes':
        senders < 4 ? '—' : formatNumber((await sendsPerSecond(four, 4, senders / 4)).perSecond),
      'SQLite, one process': formatNumber((await sendsPerSecond(sqlite, 1, senders)).perSecond),
      'load average': formatNumber(loadavg()[0]!, 1),
    });
  }
  return {
    title:
      'Durable sends/s, one-slot primitive writes (each sender its own object): PostgreSQL beside pgbench on the same server, and SQLite',
    rows,
    notes: [
      `Each cell: BAT OS processes sending for ${SECONDS} s after a 0.3 s warm-up, side by side in this run; PostgreSQL 15 on the same machine and disk, fsync on, a fresh database per cell.`,
      `The anchor: pgbench on the same server just before BAT OS in each row, ${SECONDS} s, one client per sender, each updating a row of its own in its own transaction (prepared statements). Targets: ≥ 0.5× pgbench at 1 sender, ≥ 0.3× at 16.`,
      `The same rows bare: one node-pg client per sender in one process, each committing what a one-slot send keeps (its transaction, its author's bytes for the day, its object, the change) as one prepared statement over a bootstrapped image, ${SECONDS} s, with nothing of BAT OS (no checks, no batching, no send). What any Node process keeping these rows could reach on this server: "bare ÷ pgbench" is what the layout and the client cost, "÷ bare" what BAT OS's own work does.`,
      ...(anchorMissing === undefined ? [] : [`No anchor in this run: ${anchorMissing}.`]),
      `Each sender is a person of their own (a share of the send slots each). A process runs up to ${SENDS_AT_ONCE} sends side by side. On PostgreSQL commits ready together go in one statement (one round trip, one transaction and one WAL flush between them, each send checked and answered alone; no fence while the process is alone over the image); SQLite syncs a group of sends at once. More processes add up only where each has a core: on a ${availableParallelism()}-core machine four of them and PostgreSQL share them.`,
      `BAT OS CPU per send: the one process's CPU time (all threads, user and system) over its sends in the PostgreSQL cell, which a loaded machine inflates far less than it does the wall time. Server CPU: the PostgreSQL server's (every session's, from /proc; Linux only) over the same sends, and in brackets over pgbench's transactions in its run; the server shares the cores with BAT OS. Load average: this machine's over the last minute, after the row, on ${availableParallelism()} cores.`,
    ],
  };
}

async function coherence(server: PostgresServer): Promise<BenchTable> {
  const url = await createDatabase(server.url(), 'bench_coherence');
  await bootstrapped(url);
  const [here, there] = await Promise.all(
    [0, 1].map(
      async () => new Uvm({ image: await Image.open(url), runner: new QuickJsMethodRunner() }),
    ),
  );
  try {
    await sendLine(here!, 'genesis setSlot n 0');
    const timed = async (before: (n: number) => Promise<unknown>) => {
      const latencies: number[] = [];
      for (let n = 0; n < 400; n += 1) {
        await before(n);
        const at = performance.now();
        await sendLine(here!, 'genesis n');
        if (n >= 50) latencies.push((performance.now() - at) * 1000);
      }
      return latencies;
    };
    const afterOwn = await timed((n) => sendLine(here!, `genesis setSlot n ${n}`));
    const afterOther = await timed((n) => sendLine(there!, `genesis setSlot n ${n}`));
    const row = (label: string, latencies: number[]) => ({
      'a read-only send (genesis n)': label,
      'p50 µs': formatNumber(percentile(latencies, 50)),
      'p99 µs': formatNumber(percentile(latencies, 99)),
    });
    return {
      title: 'Cache coherence on PostgreSQL: a send right after a write to the same object',
      rows: [
        row('after this process wrote it (cached)', afterOwn),
        row('after another process wrote it (notified, reloaded)', afterOther),
      ],
      notes: [
        'With another process there, every send first fences on the LISTEN connection (one round trip); the object another process wrote is then reloaded (one more). 350 sends each, after 50 untimed.',
      ],
    };
  } finally {
    await Promise.all([here!.close(), there!.close()]);
  }
}

export async function benchScale(): Promise<BenchTable[]> {
  const dir = mkdtempSync(join(tmpdir(), 'batos-bench-scale-'));
  const server = await PostgresServer.start();
  try {
    return [await throughput(server, dir), await coherence(server)];
  } finally {
    await server.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
