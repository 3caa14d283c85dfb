/** Types for channel.mjs (plain JavaScript, because the sandbox worker loads it without tsx). */
export declare const IDLE: 0;
export declare const TO_WORKER: 1;
export declare const TO_HOST: 2;
export declare const DEAD: 3;
export type ChannelState = typeof IDLE | typeof TO_WORKER | typeof TO_HOST | typeof DEAD;

export declare function createChannelBuffer(capacity: number): SharedArrayBuffer;

export declare class Channel {
  constructor(buffer: SharedArrayBuffer);
  readonly capacity: number;
  fits(text: string): boolean;
  post(text: string, state: typeof TO_WORKER | typeof TO_HOST): void;
  read(): string;
  state(): ChannelState;
  waitFor(state: ChannelState): ChannelState;
  waitForAsync(state: ChannelState): Promise<ChannelState>;
  spin(state: ChannelState, ms: number): void;
  countCompile(): void;
  compiles(): number;
  kill(): void;
}
