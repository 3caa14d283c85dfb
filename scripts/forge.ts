/**
 * `npm run forge [-- --out DIR]`: writes the tiny test model and the persona adapters as the
 * bot uses them (DIR/tiny-model.gguf, DIR/lora/<persona>.gguf), plus the deliberately
 * malformed files the tests use, and prints the command that starts BAT OS on them.
 */
import { relative, resolve } from 'node:path';
import { forge, type ForgedFiles } from '../tools/forge/index.ts';
import { parseCommandLine } from './cli.ts';

const DEFAULT_OUT = 'models/forged';

const { values } = parseCommandLine({
  usage: 'npm run forge -- [--out DIR] [--json]',
  help: `Forges the tiny test model: real llama.cpp inference and real LoRA loading, with
hand-set weights, and no download. It is for trying and testing BAT OS, not for talking
to: its answers are fixed (see tools/forge/answers.ts), and the personas say so.

  -o, --out DIR   where to write (default ${DEFAULT_OUT}): DIR/tiny-model.gguf, the
                  adapters in DIR/lora, malformed files for tests in DIR/malformed
      --json      print the paths as JSON instead of the command to start with`,
  options: { out: { type: 'string', short: 'o' }, json: { type: 'boolean' } },
});

/** The shell line that starts BAT OS on what was forged, with paths as short as they can be. */
function startLine(files: ForgedFiles): string {
  const shown = (path: string) => {
    const near = relative(process.cwd(), path);
    return near.startsWith('..') ? path : near;
  };
  const quoted = (path: string) =>
    /^[\w./-]+$/u.test(path) ? path : `'${path.replace(/'/gu, `'\\''`)}'`;
  return `BATOS_MODEL=${quoted(shown(files.model))} BATOS_LORA_DIR=${quoted(shown(files.loraDir))} npm start`;
}

const files = await forge({ outDir: resolve(values.out ?? DEFAULT_OUT) });
if (values.json === true) process.stdout.write(JSON.stringify(files, null, 2) + '\n');
else
  process.stdout.write(
    [
      `Forged the tiny test model into ${files.outDir}:`,
      `  model     ${files.model}`,
      `  adapters  ${files.loraDir} (${Object.keys(files.adapters).length} personas)`,
      '',
      'Start BAT OS on it (persona replies say they come from the forged test model):',
      `  ${startLine(files)}`,
      '',
    ].join('\n'),
  );
