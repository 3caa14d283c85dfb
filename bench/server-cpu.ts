/**
 * The CPU time a PostgreSQL server on this machine has spent: its postmaster's and every
 * session's, ended ones included (the postmaster reaps them, and Linux adds a reaped child's
 * time to its parent's). Read from /proc, so only on Linux; elsewhere the bench prints no
 * figure. The server shares the machine's cores with BAT OS, so its CPU per send counts as
 * much as BAT OS's own where cores are few.
 */
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';

/** Linux's clock ticks per second for /proc's times (USER_HZ, 100 on every common build). */
const TICKS_PER_SECOND = 100;

/** A process's /proc stat fields after its name (which may hold spaces), from `state` on. */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** The postmaster's pid for the server at `url` (the parent of a session's), or `undefined`. */
export async function postmasterPid(url: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    return Number(statFields(rows[0]!.pid)[1]);
  } catch {
    return undefined;
  } finally {
    await client.end();
  }
}

/** CPU seconds the server whose postmaster is `pid` has spent so far, or `undefined`. */
export function serverCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // utime, stime, cutime, cstime: fields 14–17 of stat, 12–15 here.
    const [user, system, childUser, childSystem] = statFields(pid).slice(11, 15).map(Number);
    let ticks = user! + system! + childUser! + childSystem!;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/u.test(entry)) continue;
      try {
        const fields = statFields(Number(entry));
        if (Number(fields[1]) === pid) ticks += Number(fields[11]) + Number(fields[12]);
      } catch {
        // The process ended meanwhile: the postmaster's reaped time has it.
      }
    }
    return ticks / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
