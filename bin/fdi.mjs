#!/usr/bin/env node
// Runs the TypeScript CLI with no build step: `fdi run` from a bundle that bin/bundle.mjs makes and remakes from the
// sources as they change, everything else (and `fdi run` with plugins) through tsx.
import { bundledEntry } from './bundle.mjs';

const bundle = await bundledEntry();
if (bundle) {
  await import(bundle);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}
