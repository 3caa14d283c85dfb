/**
 * The command line of the project's scripts (`npm run forge`, `bench`, `models:pull`): each
 * describes its options once, answers `--help` with its usage, and refuses anything it does
 * not know with the usage line and exit status 2, before doing any work.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

const HELP = { help: { type: 'boolean', short: 'h' } } as const;

export interface CommandLine<O extends Options> {
  /** `npm run forge -- [--out DIR]`: the first line of the help, and of every refusal. */
  readonly usage: string;
  /** What the script does and what each option means, shown after the usage by `--help`. */
  readonly help: string;
  readonly options: O;
  /** Positional words the script accepts (default none). */
  readonly positionals?: { readonly max: number; readonly allowed?: readonly string[] };
}

/** Parses `argv` (default: this process's arguments), or exits: 0 after `--help`, 2 on a mistake. */
export function parseCommandLine<O extends Options>(
  line: CommandLine<O>,
  argv: readonly string[] = process.argv.slice(2),
) {
  const refuse = (why: string): never => {
    process.stderr.write(`${why}\nusage: ${line.usage}\n(--help says more)\n`);
    process.exit(2);
  };
  const config = {
    args: [...argv],
    options: { ...line.options, ...HELP } as O & typeof HELP,
    allowPositionals: true,
    strict: true,
  } as const;
  let parsed: ReturnType<typeof parseArgs<typeof config>>;
  try {
    parsed = parseArgs(config);
  } catch (error) {
    return refuse((error as Error).message.replace(/\. .*/su, '.'));
  }
  if ((parsed.values as { help?: boolean }).help === true) {
    process.stdout.write(`usage: ${line.usage}\n\n${line.help.trim()}\n`);
    process.exit(0);
  }
  const { max, allowed } = line.positionals ?? { max: 0 };
  if (parsed.positionals.length > max)
    refuse(
      `Unexpected argument${parsed.positionals.length - max > 1 ? 's' : ''}: ${parsed.positionals.slice(max).join(' ')}`,
    );
  const unknown = allowed && parsed.positionals.filter((word) => !allowed.includes(word));
  if (unknown && unknown.length > 0)
    refuse(
      `Unknown ${unknown.length > 1 ? 'names' : 'name'}: ${unknown.join(', ')} (known: ${allowed.join(', ')})`,
    );
  return parsed;
}
