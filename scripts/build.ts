/**
 * `npm run build`: compiles `src/` to plain JavaScript in `dist/`, which `npm start` and pm2
 * run (through `src/launch.mjs`). `npm ci` and `npm install` run it (`prepare`), and so does
 * the steward's `build` step.
 *
 * One bundle from `src/main.ts`: `dist/main.js` and the chunks it imports, side by side in
 * `dist/`, with each dynamic import (the start, the mind, Discord, Slack, the browser,
 * PostgreSQL) its own chunk, loaded only when that part is used, as in `src/`. A start then
 * loads a dozen files instead of some 450 (BAT OS's ~200 and kysely's ~260, each resolved,
 * read and compiled on its own: README, "Performance"). Packages stay in `node_modules` and
 * are imported from there (native code, wasm and data files found beside their modules),
 * except the pure-JavaScript {@link BUNDLED} ones. The worker scripts (`.mjs`) are copied
 * into the layout of `src/`, and each `import.meta.url` in a source file is rewritten to the
 * URL that file has in that layout, so `new URL('./worker/worker.mjs', import.meta.url)`
 * still finds its worker, and a Discord shard's process starts from `dist/main.js` too.
 * The sources' fingerprint and stamps go into `dist/build.json` (see `src/build-info.mjs`),
 * so a build older than its sources is never run.
 *
 * The new build is written beside the old one and moved in when complete, so a process
 * starting meanwhile sees the old build or the new one, never half of one.
 */
import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { BUILD_INFO_FILE, buildRecord, sourceFiles } from '../src/build-info.mjs';
import { parseCommandLine } from './cli.ts';

const { values } = parseCommandLine({
  usage: 'npm run build [-- --root DIR]',
  help: `Bundles src/main.ts into dist/ (main.js and its chunks; .mjs worker scripts copied) and
records the sources' fingerprint in dist/build.json; npm start runs dist/ only while it matches.
  --root DIR   the project folder whose src/ is built into its dist/ (default: this one)`,
  options: { root: { type: 'string' } },
});
const root = path.resolve(values.root ?? path.join(fileURLToPath(import.meta.url), '..', '..'));
const srcDir = path.join(root, 'src');
const buildDir = path.join(root, 'dist');

/**
 * Packages bundled into the build: plain ESM JavaScript with no files of their own to find,
 * loaded on every start, and many files each (kysely: about 260).
 */
const BUNDLED = /^(kysely|acorn|acorn-walk)(\/|$)/;

/**
 * Keeps every other package external, and gives each source's `import.meta.url` (`.ts`, and
 * `.mjs` bundled from them) the URL that source would have in `dist/` laid out as `src/`
 * (the bundle's own files all sit at the top of `dist/`), so the URLs made from it (worker
 * scripts, `main.js`) point where they did.
 */
const layout: Plugin = {
  name: 'batos-layout',
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, (args) =>
      BUNDLED.test(args.path) ? undefined : { path: args.path, external: true },
    );
    builder.onLoad({ filter: /\.m?[jt]s$/ }, (args) => {
      if (path.relative(srcDir, args.path).startsWith('..')) return undefined;
      const source = readFileSync(args.path, 'utf8');
      const dir = path.relative(srcDir, path.dirname(args.path)).split(path.sep).join('/');
      const here = JSON.stringify(dir === '' ? './' : `./${dir}/`);
      return {
        contents: source.replaceAll('import.meta.url', `new URL(${here}, import.meta.url).href`),
        loader: args.path.endsWith('.ts') ? 'ts' : 'js',
      };
    });
  },
};

// Before anything is compiled: an edit made meanwhile then makes the build stale, not wrong.
const record = buildRecord(srcDir);
const files = sourceFiles(srcDir).map((file) => path.join(srcDir, file));
const next = `${buildDir}.next-${process.pid}`;
rmSync(next, { recursive: true, force: true });
try {
  await build({
    entryPoints: [path.join(srcDir, 'main.ts')],
    outdir: next,
    bundle: true,
    splitting: true,
    chunkNames: '[name]-[hash]',
    plugins: [layout],
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    logLevel: 'warning',
  });
  for (const file of files.filter((f) => f.endsWith('.mjs'))) {
    const target = path.join(next, path.relative(srcDir, file));
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(file, target);
  }
  writeFileSync(path.join(next, BUILD_INFO_FILE), `${JSON.stringify(record)}\n`);
  const old = `${buildDir}.old-${process.pid}`;
  rmSync(old, { recursive: true, force: true });
  try {
    renameSync(buildDir, old);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  renameSync(next, buildDir);
  rmSync(old, { recursive: true, force: true });
} catch (error) {
  rmSync(next, { recursive: true, force: true });
  throw error;
}
process.stdout.write(`built ${path.relative(process.cwd(), buildDir) || buildDir}\n`);
