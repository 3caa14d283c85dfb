/**
 * Why the image cannot revert a transaction, as facts: the image finds them, and the UVM
 * decides what to tell the person who asked (`core/uvm/undo-words.ts`).
 */
import type { Oid } from '../model/value.ts';
import type { Transaction } from './transaction.ts';

export type UndoObstacle =
  /** No transaction is left to undo (of `who`'s, when one was named). */
  | { readonly kind: 'nothing'; readonly who?: string }
  /** History has no transaction `tx`; `forgotten` when newer ones exist, so it was forgotten. */
  | { readonly kind: 'unknown'; readonly tx: number; readonly forgotten: boolean }
  /** BAT OS's own transaction (`who` starts with `system`). */
  | { readonly kind: 'system'; readonly tx: number; readonly who: string }
  | { readonly kind: 'undone'; readonly tx: number; readonly undoneBy: number }
  /** An object it changed was collected since. */
  | { readonly kind: 'collected'; readonly tx: number; readonly oid: Oid }
  /**
   * A slot it wrote holds something else now (`later` wrote it, when history knows; BAT OS
   * itself when `bySystem`, whose transactions cannot be undone).
   */
  | {
      readonly kind: 'changed-since';
      readonly tx: number;
      readonly oid: Oid;
      readonly slot: string;
      readonly later?: number;
      readonly bySystem?: true;
    }
  /** Reverting would put back a reference to `gone`, which was collected. */
  | {
      readonly kind: 'gone-reference';
      readonly tx: number;
      readonly oid: Oid;
      readonly slot: string;
      readonly gone: Oid;
    };

/** What {@link Image.prepareUndo} found: the reverting transaction, or why there is none. */
export type PreparedUndo =
  | { readonly tx: Transaction; readonly obstacle?: undefined }
  | { readonly tx?: undefined; readonly obstacle: UndoObstacle };
