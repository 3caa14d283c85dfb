/**
 * `npm run forge -- --out DIR`: writes the tiny test model, the persona adapters and the
 * deliberately malformed files into DIR, and prints their paths.
 */
import { parseArgs } from 'node:util';
import { forge } from '../src/forge/index.ts';

const { values } = parseArgs({ options: { out: { type: 'string', short: 'o' } } });
if (!values.out) {
  process.stderr.write('usage: tsx scripts/forge.ts --out DIR\n');
  process.exit(2);
}
const files = await forge({ outDir: values.out });
process.stdout.write(JSON.stringify(files, null, 2) + '\n');
