/**
 * Writes missing methods with the mind: the covenant prompt, grammar-constrained
 * generation, then the static checks and the sandbox's own syntax check before anything is
 * installed. Output that fails a check is a clear error, and nothing is kept.
 */
import { checkGeneratedMethod } from '../analysis/index.ts';
import { SendError } from '../errors.ts';
import { buildMethodPrompt, MindError, type MindService } from '../mind/index.ts';
import type { MethodRunner } from '../sandbox/contract.ts';
import type { MethodRequest, MethodWriter, WrittenMethod } from './method-writer.ts';

export class MindMethodWriter implements MethodWriter {
  constructor(
    private readonly mind: Pick<MindService, 'generateMethod'>,
    private readonly runner: Pick<MethodRunner, 'check'>,
  ) {}

  async write(request: MethodRequest, signal?: AbortSignal): Promise<WrittenMethod> {
    let generated;
    try {
      generated = await this.mind.generateMethod(
        buildMethodPrompt(request),
        signal ? { signal } : {},
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
    try {
      checkGeneratedMethod(generated.source);
      this.runner.check(generated.source);
    } catch (error) {
      throw new SendError(
        'generation-failed',
        `The model wrote ${request.selector}, but it failed the checks, so it was not installed: ${(error as Error).message}`,
        { cause: error },
      );
    }
    return {
      source: generated.source,
      provenance: {
        author: 'model',
        by: request.requestedBy,
        at: new Date().toISOString(),
        model: generated.model,
        promptHash: generated.promptHash,
      },
    };
  }
}
