/**
 * Whose rights an operation uses. A send from chat runs with its caller's authority; a
 * method runs with its *owner's*, never its caller's (LambdaMOO's task permissions), so a
 * method can never do what its owner could not.
 */
import type { MethodProvenance } from '../model/value.ts';
import type { Caller } from './principal.ts';
import { type Principal, SYSTEM } from '../model/principal.ts';

export interface Authority {
  readonly principal: Principal;
  /** May change every object: the system, and admins sending directly. */
  readonly admin: boolean;
  /**
   * Every write is refused: a method the model wrote at the request of someone who does
   * not own the object it lives on.
   */
  readonly readOnly: boolean;
  /** May define methods by hand. */
  readonly programmer: boolean;
  /** The person whose send this is, charged for objects the system creates for them. */
  readonly sender: Principal;
  /**
   * Whether that person is an admin. A read-only method reads with its sender's rights, not
   * its owner's, so asking the model for a method on a system object cannot open private ones.
   */
  readonly senderAdmin: boolean;
}

/** The authority of a direct send. */
export function callerAuthority(caller: Caller): Authority {
  return {
    principal: caller.principal,
    admin: caller.admin,
    readOnly: false,
    programmer: caller.programmer,
    sender: caller.principal,
    senderAdmin: caller.admin,
  };
}

/** Full authority, for BAT OS's own bookkeeping. */
export function systemAuthority(sender: Principal = SYSTEM): Authority {
  return {
    principal: SYSTEM,
    admin: true,
    readOnly: false,
    programmer: true,
    sender,
    senderAdmin: sender === SYSTEM,
  };
}

/**
 * The authority a method runs with: its recorded owner (the owner of the object it was
 * defined on, at the time), else the current owner of the object holding it. Only the
 * system's authority is an admin's: an admin's own methods run with no more than a plain
 * owner's rights.
 */
export function methodAuthority(
  provenance: MethodProvenance | undefined,
  holderOwner: Principal,
  running: Authority,
): Authority {
  const principal = provenance?.owner ?? holderOwner;
  return {
    principal,
    admin: principal === SYSTEM,
    readOnly: provenance?.readOnly === true,
    // A person wrote it, or the model for its owner: it may define methods as they could.
    programmer: principal === SYSTEM || provenance?.author !== 'model',
    sender: running.sender,
    senderAdmin: running.senderAdmin,
  };
}
