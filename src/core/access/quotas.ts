/**
 * Bounds on what one send or one person can add to the shared image. Each is a setting;
 * a send that would pass one is refused whole, with the bound and the figure, and changes
 * nothing.
 */
import { SendError } from '../errors.ts';
import { DEFAULT_MAX_DEPTH, valueDepth, type Slot, type Value } from '../model/value.ts';

export interface Quotas {
  /** Largest value one slot may hold, in bytes of its JSON. */
  readonly maxValueBytes: number;
  /** Largest object, all its slots together, in bytes. */
  readonly maxObjectBytes: number;
  /** Most slots one object may have. */
  readonly maxObjectSlots: number;
  /** Most bytes one send may write, every write counted. */
  readonly maxSendBytes: number;
  /** Most objects one send may create. */
  readonly maxSendObjects: number;
  /** Most objects one person may own (admins and the system are not counted). */
  readonly maxObjectsPerUser: number;
  /** Most root names one person may hold (names of objects they own; admins not counted). */
  readonly maxNamesPerUser: number;
  /** Most conversation threads one person may start (admins not counted). */
  readonly maxThreadsPerUser: number;
  /**
   * Most bytes one person's transactions may add to history in a UTC day (each change's
   * encoded before and after); admins and the system are not bounded.
   */
  readonly maxHistoryBytesPerDay: number;
  /**
   * Deepest nesting of arrays and objects in a value: the one limit for storing, rendering
   * and history.
   */
  readonly maxDepth: number;
}

export const DEFAULT_QUOTAS: Quotas = {
  maxValueBytes: 64 * 1024,
  maxObjectBytes: 512 * 1024,
  maxObjectSlots: 1_000,
  maxSendBytes: 1024 * 1024,
  maxSendObjects: 100,
  maxObjectsPerUser: 1_000,
  maxNamesPerUser: 100,
  maxThreadsPerUser: 2_000,
  maxHistoryBytesPerDay: 64 * 1024 * 1024,
  maxDepth: DEFAULT_MAX_DEPTH,
};

/** Throws unless `value` nests at most `maxDepth` deep. */
export function assertDepth(value: Value, maxDepth: number, what: string): void {
  if (valueDepth(value, maxDepth) > maxDepth)
    throw new SendError(
      'quota',
      `${what} nests deeper than ${maxDepth} levels, the limit (BATOS_MAX_DEPTH). Nothing was changed.`,
    );
}

/** A slot's size as stored: its name and its encoded content, in bytes. */
export function slotBytes(name: string, slot: Slot | undefined): number {
  if (slot === undefined) return 0;
  const content =
    slot.kind === 'value'
      ? JSON.stringify(slot.value)
      : slot.kind === 'method'
        ? slot.source + JSON.stringify(slot.provenance ?? null)
        : slot.name;
  return Buffer.byteLength(name) + Buffer.byteLength(content);
}

/** Bytes in words people read: `64 KiB`, `1.5 MiB`, `2 GiB`, `900 bytes`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${+(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 * 1024 * 1024) return `${+(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${+(bytes / 1024 / 1024 / 1024).toFixed(1)} GiB`;
}

export function quotaExceeded(text: string): SendError {
  return new SendError('quota', `${text} Nothing was changed.`);
}
