/**
 * `tsx src/core/image/migrate.ts <image>`: opens the image once, which runs any pending
 * migrations, and closes it. The steward's `migrate` upgrade step runs this with the new code.
 */
import { Image } from './image.ts';

const path = process.argv[2];
if (path === undefined) {
  process.stderr.write('usage: tsx src/core/image/migrate.ts <image file>\n');
  process.exit(2);
}
try {
  const image = await Image.open(path);
  const objects = image.countObjects();
  await image.close();
  process.stdout.write(`${path}: schema up to date, ${objects} objects\n`);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
