/** Serving the image browser: its app on its own HTTP server, until stopped. */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Logger } from '../../core/log.ts';
import { browserApp, type BrowserBot } from './app.tsx';
import type { BrowserConfig } from './config.ts';
import type { SignIns } from './sign-in.ts';

/** A running image browser. */
export interface Browser {
  /** The address its `browse` links start with. */
  readonly url: string;
  /** Closes the server and every open page's event stream. */
  stop(): Promise<void>;
}

/**
 * Starts the browser for `bot`, signing in through `signIns` (the desk the Bot answers
 * `browse` with). Rejects when it cannot listen.
 */
export async function startBrowser(
  config: BrowserConfig,
  bot: BrowserBot,
  signIns: SignIns,
  log: Logger,
  /** The personas' root names, for the personas page (the adapters know no personas). */
  personas: readonly string[] = [],
  /** The root name of the persona that keeps the audits, for the audits page. */
  auditor?: string,
  /** The SHA-256 of a persona's adapter file, or why there is none. */
  adapterChecksum?: (file: string) => Promise<string>,
): Promise<Browser> {
  const url = config.publicUrl;
  const app = browserApp({
    bot,
    signIns,
    secure: url?.startsWith('https:') === true,
    personas,
    ...(auditor === undefined ? {} : { auditor }),
    ...(adapterChecksum === undefined ? {} : { adapterChecksum }),
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const started = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () =>
      resolve(started),
    );
    started.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const base =
    url ?? `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  signIns.listening(base);
  log.info(`image browser: ${base} (sign in with \`browse\` in a DM)`);
  return {
    url: base,
    stop: () =>
      new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
