/** Fresh, empty image locations on every store the image runs on, for suites that run on both. */
import { join } from 'node:path';
import { freshPostgresDatabase } from './postgres.ts';
import { tempDir } from './temp.ts';

export { freshPostgresDatabase };

export const IMAGE_KINDS = ['sqlite', 'postgres'] as const;
export type ImageKind = (typeof IMAGE_KINDS)[number];

/** Where a new, empty image of `kind` may be opened. */
export async function freshImageLocation(kind: ImageKind): Promise<string> {
  return kind === 'sqlite' ? join(tempDir(), 'image.db') : freshPostgresDatabase();
}
