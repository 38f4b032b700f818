// Subresource Integrity: the `integrity` attribute value (sha384, base64) of a file's bytes.
// Used by scripts/build.mjs (dist/sri.json, and the wasm's hash in the loader) and
// bench/profile.mjs. tests/e2e/sri.test.mjs computes it on its own, to check the build.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export function sri(file) {
  return `sha384-${createHash('sha384').update(readFileSync(file)).digest('base64')}`;
}
