/**
 * What `npm start` and pm2 run: BAT OS as built by `npm run build` (`dist/main.js`; `npm ci`
 * and `npm install` build it) when the build was made from the sources as they are now, and
 * otherwise the sources themselves through tsx, saying why and what to do. A stale build
 * never runs, and an edit to `src/` never needs a build to take effect; the build only
 * makes the start faster (tsx compiling at run time cost about 2 s of every start on Node
 * 20: README, "Which Node"). The check is a `stat` of each source when nothing changed (see
 * `build-info.mjs`), not a hash of every file.
 *
 * Plain JavaScript, so that nothing needs compiling before it decides.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildState } from './build-info.mjs';

const srcDir = path.dirname(fileURLToPath(import.meta.url));
const buildDir = path.join(srcDir, '..', 'dist');

const state = buildState(srcDir, buildDir);
if (state === 'current') {
  await import(pathToFileURL(path.join(buildDir, 'main.js')).href);
} else {
  const why =
    state === 'missing'
      ? 'BAT OS is not built (no dist/build.json)'
      : 'the build in dist/ is older than the sources (src/ changed since "npm run build")';
  process.stderr.write(
    `${why}: starting from the TypeScript sources through tsx, which takes seconds longer. Run "npm run build" to start from the build.\n`,
  );
  const { register } = await import('tsx/esm/api');
  register();
  await import('./main.ts');
}
