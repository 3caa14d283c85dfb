/**
 * A method's examples (the checks the model wrote with it, see `mind/method-grammar.ts`),
 * run: before a written method is kept, and on each repair of it. Each runs in a
 * transaction, or a part of one, that is rolled back, so examples change nothing.
 */
import { exampleText } from '../mind/method-grammar.ts';
import type { MethodExample, Value } from '../model/value.ts';

/** The first example `run` does not answer as expected, and why; undefined when all pass. */
export async function failedExample(
  selector: string,
  examples: readonly MethodExample[],
  run: (args: readonly Value[]) => Promise<Value>,
): Promise<string | undefined> {
  for (const example of examples) {
    const call = `${selector} ${exampleText(example)}`;
    let got: Value;
    try {
      got = await run(example.args);
    } catch (error) {
      return `its example ${call} failed: ${(error as Error).message}`;
    }
    if (JSON.stringify(got) !== JSON.stringify(example.result))
      return `its example ${call} returned ${JSON.stringify(got)}`;
  }
  return undefined;
}
