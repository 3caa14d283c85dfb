/** Fresh, empty image locations on every store the image runs on, for suites that run on both. */
import { join } from 'node:path';
import pg from 'pg';
import { tempDir } from './temp.ts';

export const IMAGE_KINDS = ['sqlite', 'postgres'] as const;
export type ImageKind = (typeof IMAGE_KINDS)[number];

let databases = 0;

/** A URL of a new, empty database on the test PostgreSQL server. */
export async function freshPostgresDatabase(): Promise<string> {
  const server = process.env.BATOS_TEST_POSTGRES_URL!;
  const name = `t_${process.pid}_${Date.now()}_${++databases}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Where a new, empty image of `kind` may be opened. */
export async function freshImageLocation(kind: ImageKind): Promise<string> {
  return kind === 'sqlite' ? join(tempDir(), 'image.db') : freshPostgresDatabase();
}
