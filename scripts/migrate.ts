/**
 * `npx tsx scripts/migrate.ts <image>`: runs any pending migrations on the image (a SQLite
 * file or a postgres:// URL) without serving it; an image already up to date is only read.
 * The steward's `migrate` upgrade step runs this with the new code.
 */
import { ImageError } from '../src/core/errors.ts';
import { migrateImage, redactedLocation } from '../src/core/image/index.ts';
import { parseCommandLine } from './cli.ts';

const USAGE = 'npx tsx scripts/migrate.ts <image file or postgres:// URL>';

const [location] = parseCommandLine({
  usage: USAGE,
  help: `Runs any pending migrations on the image, then closes it. An image whose schema is up to
date is only read, so a SQLite file's bytes stay exactly as they were. The image must not be
in use: stop BAT OS first (the steward's migrate step runs this with the bot stopped).`,
  options: {},
  positionals: { max: 1 },
}).positionals;

if (location === undefined) {
  process.stderr.write(`The image is missing.\nusage: ${USAGE}\n(--help says more)\n`);
  process.exit(2);
}
// A new image is its user's alone, as BAT OS makes it (its start refuses one others may read).
process.umask(0o077);
try {
  const { migrated, objects } = await migrateImage(location);
  process.stdout.write(
    migrated
      ? `${redactedLocation(location)}: migrated, ${objects} objects\n`
      : `${redactedLocation(location)}: schema up to date, ${objects} objects; image left untouched\n`,
  );
} catch (error) {
  process.stderr.write(`${error instanceof ImageError ? error.message : String(error)}\n`);
  process.exit(1);
}
