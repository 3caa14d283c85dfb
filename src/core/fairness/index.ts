/** Sharing what BAT OS has little of (send slots, sandbox workers, the model) fairly between people. */
export { FairSlots, fairShare, type FairSlotsOptions, type Release } from './fair-slots.ts';
export { RoundRobin } from './round-robin.ts';
