export { Image, backupImageFile, type CollectResult, type ImageOptions } from './image.ts';
export { Transaction, type SlotChange, type TransactionInfo } from './transaction.ts';
export type { HistoryChange, HistoryEntry } from './history.ts';
export type { SlotMap } from './codec.ts';
