/**
 * `npm run eval [-- --model FILE] [--tasks N] [--json]`: the method-writing evaluation. Runs
 * each task of tools/eval/tasks.ts through the real pipeline with the configured model
 * (BATOS_MODEL, or BATOS_MIND_URL's servers), its later calls and the repair loop where they
 * fail, and prints pass@1, pass after checking, pass after repair, attempts, repairs and time
 * per task, as a table or JSON.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mindConfig } from '../src/config/mind-config.ts';
import { readSettings, SettingsError } from '../src/config/read.ts';
import { Mind, MindError, RemoteMind, type MindService } from '../src/core/mind/index.ts';
import { QuickJsMethodRunner } from '../src/core/sandbox/index.ts';
import { MindMethodWriter } from '../src/core/uvm/mind-writer.ts';
import { evalTable, runEval, summarize } from '../tools/eval/run.ts';
import { EVAL_TASKS } from '../tools/eval/tasks.ts';
import { parseCommandLine } from './cli.ts';

const { values } = parseCommandLine({
  usage: 'npm run eval -- [--model FILE] [--tasks N] [--json]',
  help: `Asks the model to write a method for each of ${EVAL_TASKS.length} tasks (an object with some slots,
a selector it does not understand, a call and the answer it must give), each through the
real pipeline on a fresh image in a temporary folder: the checks, the sandbox, and failures
sent back to the model up to BATOS_METHOD_ATTEMPTS. Some tasks then send the kept method
later calls the model was not shown (other arguments, or a clone with other slots); when one
fails, the repair loop the heartbeat runs has the model repair the method (a repair is kept
only if it answers every recorded call, the task's own included), and the later calls are
sent again. Prints each task's result, attempts, later calls, repair and time, then pass@1
(the first method passed), pass after checking, pass after repair (the task and its later
calls), mean attempts and the repairs kept of those tried.

  --model FILE  the model to evaluate (default BATOS_MODEL; BATOS_MIND_URL uses its servers)
  --tasks N     only the first N tasks
  --json        the results and figures as JSON instead of a table`,
  options: {
    model: { type: 'string' },
    tasks: { type: 'string' },
    json: { type: 'boolean' },
  },
});

const count = values.tasks === undefined ? EVAL_TASKS.length : Number(values.tasks);
if (!Number.isInteger(count) || count < 1) {
  process.stderr.write(`--tasks takes a whole number from 1, not ${values.tasks}.\n`);
  process.exit(2);
}
if (existsSync('.env')) process.loadEnvFile('.env');
const dir = mkdtempSync(join(tmpdir(), 'batos-eval-'));
let mind: MindService | undefined;
try {
  const settings = readSettings(process.env);
  const config = {
    ...mindConfig(settings),
    ...(values.model === undefined ? {} : { model: values.model, servers: undefined }),
  };
  mind = config.servers?.length ? (await RemoteMind.connect(config)).mind : await Mind.load(config);
  const runner = new QuickJsMethodRunner();
  const results = await runEval({
    dir,
    writer: new MindMethodWriter(mind, runner),
    attempts: settings.BATOS_METHOD_ATTEMPTS,
    tasks: EVAL_TASKS.slice(0, count),
    ...(values.json
      ? {}
      : {
          onResult: (r) =>
            process.stderr.write(
              `${r.selector}: ${r.passed ? 'pass' : 'fail'}${r.later === 0 ? '' : `, after repair ${r.passedAfterRepair ? 'pass' : 'fail'}`}\n`,
            ),
        }),
  });
  await runner.close();
  process.stdout.write(
    values.json
      ? `${JSON.stringify({ model: mind.source, summary: summarize(results), results }, null, 2)}\n`
      : `${evalTable(results)}\n`,
  );
} catch (error) {
  const known = error instanceof MindError || error instanceof SettingsError;
  process.stderr.write(`${known ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await mind?.close();
  rmSync(dir, { recursive: true, force: true });
}
