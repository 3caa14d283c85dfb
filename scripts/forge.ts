/**
 * `npm run forge [-- --out DIR] [--script FILE]`: writes the tiny test model and the persona
 * adapters as the bot uses them (DIR/tiny-model.gguf, DIR/lora/<persona>.gguf), plus the
 * deliberately malformed files the tests use, and prints the command that starts BAT OS on
 * them. With a script, the model writes the methods it says (tools/forge/script.ts).
 */
import { relative, resolve } from 'node:path';
import {
  forge,
  ForgeScriptError,
  MAX_ANSWERS,
  readForgeScript,
  type ForgedFiles,
} from '../tools/forge/index.ts';
import { parseCommandLine } from './cli.ts';

const DEFAULT_OUT = 'models/forged';
const DEFAULT_SCRIPTED_OUT = 'models/forged-scripted';

const { values } = parseCommandLine({
  usage: 'npm run forge -- [--out DIR] [--script FILE] [--json]',
  help: `Forges the tiny test model: real llama.cpp inference and real LoRA loading, with
hand-set weights, and no download. It is for trying and testing BAT OS, not for talking
to: its answers are fixed (see tools/forge/answers.ts), and the personas say so.

  -o, --out DIR   where to write (default ${DEFAULT_OUT}, or ${DEFAULT_SCRIPTED_OUT} with
                  --script): DIR/tiny-model.gguf, the adapters in DIR/lora, malformed
                  files for tests in DIR/malformed
      --script FILE forge a model that writes the methods FILE says, on successive
                  requests, broken ones included, so checks, retries and repairs run on
                  a real model. FILE is JSON, each selector with 1 to ${MAX_ANSWERS} sources:
                    {"methods": {"double": ["function (self, n) { return n * 3 }",
                                            "function (self, n) { return n * 2 }"]}}
                  Answer k (from 0) is written when the prompt shows k failed methods
                  ("Attempt k was this method:"): the first request gets the first, a
                  retry after one failure the second; a repair, whose prompt shows the
                  broken method as attempt 1, gets the answer after the one kept. The
                  last answer is written for every later request; a selector not in
                  FILE gets the base answer. Each source must differ from every other.
      --json      print the paths as JSON instead of the command to start with`,
  options: {
    out: { type: 'string', short: 'o' },
    script: { type: 'string' },
    json: { type: 'boolean' },
  },
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

let script;
try {
  script = values.script === undefined ? undefined : await readForgeScript(values.script);
} catch (error) {
  if (!(error instanceof ForgeScriptError)) throw error;
  process.stderr.write(`${error.message}\nNothing was forged.\n`);
  process.exit(2);
}
const out = values.out ?? (script ? DEFAULT_SCRIPTED_OUT : DEFAULT_OUT);
const files = await forge({ outDir: resolve(out), ...(script ? { script } : {}) });
if (values.json === true) process.stdout.write(JSON.stringify(files, null, 2) + '\n');
else
  process.stdout.write(
    [
      `Forged the tiny test model${script ? ` scripted by ${values.script}` : ''} into ${files.outDir}:`,
      `  model     ${files.model}`,
      `  adapters  ${files.loraDir} (${Object.keys(files.adapters).length} personas)`,
      '',
      'Start BAT OS on it (persona replies say they come from the forged test model):',
      `  ${startLine(files)}`,
      '',
    ].join('\n'),
  );
