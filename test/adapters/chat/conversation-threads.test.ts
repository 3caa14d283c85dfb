import { describe, expect, it } from 'vitest';
import { ConversationThreads } from '../../../src/adapters/chat/conversation-threads.ts';

describe('ConversationThreads', () => {
  it('remembers threads and forgets the least recently answered past its capacity', () => {
    const threads = new ConversationThreads(2);
    threads.remember('a');
    threads.remember('b');
    threads.remember('a');
    threads.remember('c');
    expect(['a', 'b', 'c'].map((t) => threads.has(t))).toEqual([true, false, true]);
  });
});
