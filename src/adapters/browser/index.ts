/**
 * The image browser: a web inspector of the image, signed in to from chat (`browse`), whose
 * pages read and write through the Bot as the viewer. What it needs (src/config builds it),
 * its sign-ins (the Bot's `browse` desk) and its server.
 */
export { DEFAULT_LINK_MINUTES, DEFAULT_SESSION_HOURS, type BrowserConfig } from './config.ts';
export { SignIns, type Session, type Viewer } from './sign-in.ts';
export { startBrowser, type Browser } from './start.ts';
