/** What every chat front end hands back to the composition root, and the logger it is given. */
import type { Reply } from '../../core/protocol.ts';

/** A running front end: the composition root stops it on shutdown. */
export interface FrontEnd {
  /** Short name for logs ("discord", "slack"). */
  readonly name: string;
  /** Disconnects from the platform and closes every server and timer it opened. */
  stop(): Promise<void>;
  /**
   * Posts a message nobody asked for just now (an upgrade's result, after the restart)
   * into a channel or thread, split into chunks the platform accepts.
   */
  announce(target: AnnounceTarget, reply: Reply): Promise<void>;
}

/** Where an announcement goes. */
export interface AnnounceTarget {
  readonly channel: string;
  readonly thread?: string;
}

/** The logger a front end writes to is the core's. Never pass it secrets or config objects. */
export type { Logger } from '../../core/log.ts';
