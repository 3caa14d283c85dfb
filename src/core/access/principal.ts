/**
 * Who asks: a person's principal (see `core/model/principal.ts`) and the caller context a
 * send carries.
 */
import { createHash } from 'node:crypto';
import type { Principal } from '../model/principal.ts';
import type { Platform } from '../protocol.ts';

/** What a person's principal looks like, as `chown` and BATOS_PROGRAMMERS accept it. */
export const PERSON_PRINCIPAL = /^[a-z]+:[\w.@-]{1,128}$/;

/** A slot name standing for `principal` (`p_` and a hash), for per-person bookkeeping. */
export function principalKey(principal: Principal): string {
  return `p_${createHash('sha256').update(principal).digest('hex').slice(0, 24)}`;
}

/** The principal of a person on a platform. */
export function principalOf(platform: Platform, userId: string): Principal {
  return `${platform}:${userId}`;
}

/**
 * The caller context every send and command carries into the UVM: who asks, with which
 * roles, and where. Permissions are decided from this, once, inside the core.
 */
export interface Caller {
  readonly principal: Principal;
  readonly platform: Platform;
  /** An admin (LambdaMOO's wizard): may change any object and run every command. */
  readonly admin: boolean;
  /** The operator at the machine's console: an admin who may also name host paths. */
  readonly operator: boolean;
  /** May define methods by hand (everyone, unless the operator names the programmers). */
  readonly programmer: boolean;
  /** Channel (or DM) and thread the message came from. */
  readonly channel?: string;
  readonly thread?: string;
  /** Whether it came through the configured admin channel. */
  readonly adminChannel: boolean;
  /** Whether the platform says the caller administers the place the message came from. */
  readonly placeAdmin?: boolean;
}
