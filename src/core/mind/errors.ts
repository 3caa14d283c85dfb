/**
 * The mind's one error type. Every failure carries a code a caller can branch on and a
 * message a person can act on (it names the file, the variable or the remedy).
 */
import { CodedError } from '../errors.ts';

export type MindErrorCode =
  /** No model file, and none could be downloaded; the message says how to get one. */
  | 'no-model'
  /** The model file is not a GGUF file llama.cpp would load. */
  | 'invalid-model'
  /** A LoRA adapter file is missing, malformed or made for another architecture. */
  | 'invalid-adapter'
  /** A configuration value is out of range or malformed; the message names the variable. */
  | 'config'
  /** One context would not fit the memory budget on its own. */
  | 'memory-budget'
  /** llama.cpp refused to load the model or create a context. */
  | 'load-failed'
  /** Generation ran past its deadline. */
  | 'timeout'
  /** The caller aborted generation. */
  | 'aborted'
  /** llama.cpp failed while generating (e.g. the prompt does not fit the context). */
  | 'generation-failed'
  /** Generation hit the token limit before the answer was complete. */
  | 'incomplete'
  /** The mind was closed. */
  | 'closed'
  /** No inference server (BATOS_MIND_URL) could be reached; each one's reason is named. */
  | 'unreachable'
  /** The inference server failed while it was answering; the reply was dropped. */
  | 'interrupted'
  /** The inference server answered something that is not its protocol. */
  | 'bad-response';

export class MindError extends CodedError<MindErrorCode> {
  override readonly name = 'MindError';
}
