// `fdi run` from one JavaScript bundle of the sources instead of through tsx: loading ~150 TypeScript modules through
// tsx's loader thread takes about half a second, a bundle of them a twentieth of that, and `fdi run` is a process
// per run. esbuild makes the bundle (in a sixth of a second) in node_modules/.cache/fdi-worker/<key>, where <key>
// names the state of the sources: any change to them is a new bundle, made by the first run that sees it.
//
// Only for `fdi run` without plugins: a plugin imports the connector SDK's own sources, whose classes must be the
// engine's (an OptionsError thrown by a plugin is matched with instanceof). FDI_BUNDLE=0 turns it off. Whatever
// fails here (no esbuild, a read-only tree) leaves the caller on tsx, which runs the same sources.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_DIRS = ['api', 'cli', 'connectors', 'core', 'scheduler', 'worker'];
const CACHE = join(ROOT, 'node_modules', '.cache', 'fdi-worker');
/** Bundles of earlier source states kept besides the current one (a run may still be using one). */
const KEEP_OLD = 3;

/** The bundle's entry for this invocation, or null when it must run through tsx. */
export async function bundledEntry(argv = process.argv, env = process.env) {
  if (argv[2] !== 'run' || env.FDI_BUNDLE === '0') return null;
  if (argv.some((a) => a === '--plugin' || a.startsWith('--plugin=')) || (env.FDI_PLUGINS ?? '').trim() !== '') return null;
  try {
    const key = sourceKey();
    const dir = join(CACHE, key);
    const entry = join(dir, 'main.js');
    if (existsSync(join(dir, 'complete'))) return entry;
    await build(dir);
    prune(key);
    return entry;
  } catch {
    return null;
  }
}

/** A hash of every source file's path, size and modification time, with the esbuild and node versions. */
function sourceKey() {
  const hash = createHash('sha256');
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (/\.(ts|mjs|js|json)$/.test(e.name)) {
        const s = statSync(path);
        hash.update(`${path}\0${s.size}\0${s.mtimeMs}\n`);
      }
    }
  };
  for (const d of SOURCE_DIRS) if (existsSync(join(ROOT, d))) walk(join(ROOT, d));
  const pkg = statSync(join(ROOT, 'package.json'));
  hash.update(`package.json\0${pkg.size}\0${pkg.mtimeMs}\0${process.version}`);
  return hash.digest('hex').slice(0, 16);
}

/** Builds into a directory of its own, then renames it into place: runs starting at once never see half a bundle. */
async function build(dir) {
  const esbuild = await import('esbuild');
  mkdirSync(CACHE, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  try {
    await esbuild.build({
      absWorkingDir: ROOT,
      entryPoints: { main: 'cli/main.ts', 'part-thread': 'worker/part-thread.ts' },
      outdir: tmp,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      // Code the CLI loads only when used (serve, worker) stays in chunks of its own, with the packages it imports.
      splitting: true,
      logLevel: 'silent',
    });
    // worker/parts.ts starts its threads at new URL('./part-thread.mjs', import.meta.url): in the bundle, this file.
    writeFileSync(join(tmp, 'part-thread.mjs'), "await import('./part-thread.js');\n");
    writeFileSync(join(tmp, 'complete'), '');
    try {
      renameSync(tmp, dir);
    } catch (e) {
      // Another run put the same bundle there first.
      if (!existsSync(join(dir, 'complete'))) throw e;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Removes all but the newest bundles of earlier source states, and builds left half-done. */
function prune(current) {
  const entries = readdirSync(CACHE, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== current)
    .map((e) => ({ path: join(CACHE, e.name), tmp: e.name.includes('.tmp-'), mtime: statSync(join(CACHE, e.name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  const hour = 3_600_000;
  let kept = 0;
  for (const e of entries) {
    if (e.tmp ? Date.now() - e.mtime > hour : ++kept > KEEP_OLD) rmSync(e.path, { recursive: true, force: true });
  }
}
