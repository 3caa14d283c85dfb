/**
 * Whose work this is, carried along an asynchronous call chain. The UVM's send gate runs
 * each send as its caller's party, so the sandbox, reached through the invoker, charges a
 * method's worker to the person who sent it without every layer passing the name on.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const current = new AsyncLocalStorage<string>();

/** Runs `work` as `party`'s: {@link currentParty} says so in everything it calls or awaits. */
export function withParty<T>(party: string, work: () => T): T {
  return current.run(party, work);
}

/** The party of the work running now, or undefined outside any {@link withParty}. */
export function currentParty(): string | undefined {
  return current.getStore();
}
