/**
 * Turns BAT OS conversations into node-llama-cpp chat histories. The model's own chat
 * wrapper (resolved from its template: Llama 3.1, ChatML, …) then renders the tokens.
 */
import { GeneralChatWrapper, resolveChatWrapper } from 'node-llama-cpp';
import type { ChatHistoryItem, ChatWrapper, LlamaModel, Token } from 'node-llama-cpp';

/** One earlier turn of a conversation. */
export interface ChatTurn {
  readonly role: 'user' | 'assistant';
  readonly text: string;
}

/** A system prompt, the turns so far, and the new user message, as a chat history. */
export function toChatHistory(
  systemPrompt: string,
  history: readonly ChatTurn[],
  text: string,
): ChatHistoryItem[] {
  return [
    ...(systemPrompt ? [{ type: 'system' as const, text: systemPrompt }] : []),
    ...history.map((turn): ChatHistoryItem =>
      turn.role === 'user'
        ? { type: 'user', text: turn.text }
        : { type: 'model', response: [turn.text] },
    ),
    { type: 'user', text },
  ];
}

/**
 * The chat wrapper for the model's own template (Llama 3.1, ChatML, …); a model without a
 * recognisable template gets a plain general-purpose one.
 */
export function resolveModelChatWrapper(model: LlamaModel): ChatWrapper {
  return resolveChatWrapper(model) ?? new GeneralChatWrapper();
}

/**
 * A system prompt and a user message as the model's template renders them, up to where the
 * model's answer begins: what a plain completion continues. Without the template's leading
 * BOS when the completion prepends one itself (two would make the prompt differ from the
 * one a chat evaluates, and a sequence could not reuse either for the other).
 */
export function promptTokens(
  model: LlamaModel,
  chatWrapper: ChatWrapper,
  system: string,
  user: string,
): Token[] {
  const chatHistory = [
    ...toChatHistory(system, [], user),
    { type: 'model' as const, response: [] },
  ];
  const tokens = chatWrapper
    .generateContextState({ chatHistory })
    .contextText.tokenize(model.tokenizer);
  const { bos, shouldPrependBosToken } = model.tokens;
  return shouldPrependBosToken && tokens[0] === bos ? tokens.slice(1) : tokens;
}
