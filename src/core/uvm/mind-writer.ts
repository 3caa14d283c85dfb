/**
 * Writes missing methods with the mind: the covenant prompt, grammar-constrained
 * generation, then the static checks and the sandbox's own syntax check before anything is
 * installed. Output that fails a check is a clear error, and nothing is kept.
 *
 * Generation is queued fairly: a bounded number run at once, the people waiting are served
 * round robin, and one person has one in flight while anyone else waits (more only when
 * nobody does), so eight people asking at once each wait for about one method, not for
 * everyone who asked before them.
 */
import { checkMethodRules } from '../analysis/index.ts';
import { SendError } from '../errors.ts';
import { FairSlots } from '../fairness/index.ts';
import type { MindService } from '../mind/index.ts';
import { DEFAULT_SEQUENCES } from '../mind/config.ts';
import { MindError } from '../mind/errors.ts';
import { buildMethodPrompt } from '../mind/prompts/covenant.ts';
import { splitExamples } from '../mind/method-grammar.ts';
import type { MethodRunner } from '../sandbox/contract.ts';
import {
  RejectedMethod,
  type MethodRequest,
  type MethodWriter,
  type WrittenMethod,
} from './method-writer.ts';

/** Methods written at once by default: the mind's sequences per context. */
export const DEFAULT_GENERATIONS_AT_ONCE = DEFAULT_SEQUENCES;

export class MindMethodWriter implements MethodWriter {
  private readonly turns: FairSlots;

  /** @param atOnce how many methods are written at once (default {@link DEFAULT_GENERATIONS_AT_ONCE}) */
  constructor(
    private readonly mind: Pick<MindService, 'generateMethod'>,
    private readonly runner: Pick<MethodRunner, 'check'>,
    atOnce = DEFAULT_GENERATIONS_AT_ONCE,
  ) {
    this.turns = new FairSlots({ capacity: atOnce, share: 1, lend: true });
  }

  async write(request: MethodRequest, signal?: AbortSignal): Promise<WrittenMethod> {
    let generated;
    try {
      generated = await this.turns.run(
        request.requestedBy,
        () => this.mind.generateMethod(buildMethodPrompt(request), signal ? { signal } : {}),
        signal,
      );
    } catch (error) {
      const reason =
        error instanceof MindError && error.code === 'timeout'
          ? 'the model took too long'
          : (error as Error).message;
      throw new SendError(
        'generation-failed',
        `Could not write ${request.selector}: ${reason}. Nothing was changed.`,
        { cause: error },
      );
    }
    let method: ReturnType<typeof splitExamples>;
    try {
      method = splitExamples(generated.source);
      checkMethodRules(method.source);
      this.runner.check(method.source);
    } catch (error) {
      throw new RejectedMethod(
        generated.source,
        new SendError(
          'generation-failed',
          `The model wrote ${request.selector}, but it failed the checks, so it was not installed: ${(error as Error).message}`,
          { cause: error },
        ),
      );
    }
    return {
      source: method.source,
      provenance: {
        author: 'model',
        by: request.requestedBy,
        at: new Date().toISOString(),
        model: generated.model,
        promptHash: generated.promptHash,
        ...(method.examples.length === 0 ? {} : { examples: method.examples }),
      },
    };
  }
}
