/** The examples a model may write after a method: taken off its source, or refused with why. */
import { describe, expect, it } from 'vitest';
import { splitExamples } from '../../../src/core/mind/index.ts';

const METHOD = 'function (self, n) {\n  // example: inside the body stays\n  return n * 2\n}';

describe('splitExamples', () => {
  it('takes the example lines after the method off its source', () => {
    expect(
      splitExamples(
        `${METHOD}\n// example: [21] => 42\n// example: ["a => b", {"k": [1]}] => "a => b"`,
      ),
    ).toEqual({
      source: METHOD,
      examples: [
        { args: [21], result: 42 },
        { args: ['a => b', { k: [1] }], result: 'a => b' },
      ],
    });
  });

  it('leaves a method without examples as it is', () => {
    expect(splitExamples(METHOD)).toEqual({ source: METHOD, examples: [] });
  });

  it('refuses an example that is not arguments and a result, or too many', () => {
    expect(() => splitExamples(`${METHOD}\n// example: 21 => 42`)).toThrow(
      'the example "21 => 42" is not `<arguments as a JSON array> => <result as JSON>`',
    );
    expect(() => splitExamples(`${METHOD}\n// example: [1] => `)).toThrow(/is not/u);
    const six = Array.from({ length: 6 }, (_, i) => `// example: [${i}] => ${i}`).join('\n');
    expect(() => splitExamples(`${METHOD}\n${six}`)).toThrow(
      'it came with 6 examples; at most 5 are allowed',
    );
  });
});
