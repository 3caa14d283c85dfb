/**
 * `npm run build`: compiles `src/` to plain JavaScript in `dist/`, which `npm start` and pm2
 * run (through `src/launch.mjs`). `npm ci` and `npm install` run it (`prepare`), and so does
 * the steward's `build` step.
 *
 * One output file per source file, in the same layout, with relative imports of `.ts` files
 * pointing at their `.js`: `import.meta.url` means what it meant in `src/`, so the worker
 * scripts (`.mjs`, copied as they are) are found beside the code that starts them, and a
 * Discord shard's process starts from the build too. Packages are imported from
 * `node_modules` as before. The sources' fingerprint goes into `dist/build.json`, so a build
 * older than its sources is never run.
 *
 * The new build is written beside the old one and moved in when complete, so a process
 * starting meanwhile sees the old build or the new one, never half of one.
 */
import { copyFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { BUILD_INFO_FILE, sourceFiles, sourceFingerprint } from '../src/build-info.mjs';
import { parseCommandLine } from './cli.ts';

const { values } = parseCommandLine({
  usage: 'npm run build [-- --root DIR]',
  help: `Compiles src/ to dist/ (one .js file per .ts file, .mjs files copied) and records the
sources' fingerprint in dist/build.json; npm start runs dist/ only while it matches.
  --root DIR   the project folder whose src/ is built into its dist/ (default: this one)`,
  options: { root: { type: 'string' } },
});
const root = path.resolve(values.root ?? path.join(fileURLToPath(import.meta.url), '..', '..'));
const srcDir = path.join(root, 'src');
const buildDir = path.join(root, 'dist');

/** Every relative import stays a separate file: `./x.ts` becomes `./x.js`, others stay. */
const relativeImports: Plugin = {
  name: 'relative-imports',
  setup(builder) {
    builder.onResolve({ filter: /^\.\.?\// }, (args) =>
      args.kind === 'entry-point'
        ? undefined
        : { path: args.path.replace(/\.ts$/, '.js'), external: true },
    );
  },
};

const fingerprint = sourceFingerprint(srcDir);
const files = sourceFiles(srcDir).map((file) => path.join(srcDir, file));
const next = `${buildDir}.next-${process.pid}`;
rmSync(next, { recursive: true, force: true });
try {
  await build({
    entryPoints: files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts')),
    outdir: next,
    outbase: srcDir,
    // Each file is its own "bundle" of one: the plugin keeps every import outside it.
    bundle: true,
    packages: 'external',
    plugins: [relativeImports],
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
  writeFileSync(
    path.join(next, BUILD_INFO_FILE),
    `${JSON.stringify({ sources: fingerprint, builtAt: new Date().toISOString() })}\n`,
  );
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
