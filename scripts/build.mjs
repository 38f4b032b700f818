// Assembles the script-tag build in dist/ from the wasm-bindgen output in target/bindgen:
//   dist/rtp.js          the wasm-bindgen glue + js/host.js + js/loader.js, in one function scope,
//                        minified (js/host.js is also the npm package's host.js: scripts/build-npm.sh)
//   dist/rtp_bg.wasm     the optimised wasm (already written by scripts/build.sh)
//   dist/snippet.min.js  js/snippet.js minified (placeholders LOADER_URL, ENDPOINT_URL, ACCOUNT_ID)
//   dist/sri.json        the Subresource Integrity hashes (sha384) of dist/rtp.js and dist/rtp_bg.wasm;
//                        the loader carries the wasm's, and fetches the wasm with it
// `ENDPOINT=… ACCOUNT=… make build` writes the site's default endpoint and account into the
// loader (README, "Setting the endpoint once"). RTP_DIST=<folder> writes
// the three files there instead of dist/, beside a copy of the wasm (how tests/e2e/dropin
// builds a second loader with defaults).
import { readFileSync, writeFileSync } from 'node:fs';
import { minify } from 'terser';
import { sri } from './sri.mjs';

// The loader calls the glue's async init only: its `initSync` (and the code only it uses) is
// dropped, by exporting it nowhere, so that terser removes it.
const INIT_EXPORTS = 'Object.assign(__wbg_init, { initSync }, exports)';
const rawGlue = readFileSync('target/bindgen/rtp.js', 'utf8');
if (!rawGlue.includes(INIT_EXPORTS)) throw new Error('build.mjs: the wasm-bindgen glue no longer ends with ' + INIT_EXPORTS);
const glue = rawGlue.replace(INIT_EXPORTS, 'Object.assign(__wbg_init, exports)');
// js/host.js is an ES module (the npm package imports it); in the script its exports are plain
// functions of the one scope.
const host = readFileSync('js/host.js', 'utf8').replace(/^export /gm, '');
const out = process.env.RTP_DIST || 'dist';
const loader = readFileSync('js/loader.js', 'utf8').replace("'WASM_INTEGRITY'", `'${sri('dist/rtp_bg.wasm')}'`)
  .replace("'DEFAULT_ENDPOINT'", JSON.stringify(process.env.ENDPOINT || ''))
  .replace("'DEFAULT_ACCOUNT'", JSON.stringify(process.env.ACCOUNT || ''));
if (!loader.includes('sha384-')) throw new Error('build.mjs: js/loader.js lost its WASM_INTEGRITY placeholder');
if (loader.includes('DEFAULT_')) throw new Error('build.mjs: a DEFAULT_ placeholder of js/loader.js was not replaced');
const snippet = readFileSync('js/snippet.js', 'utf8');

const terse = { ecma: 2017, compress: { passes: 2 }, mangle: true, format: { comments: false } };
const tag = await minify(`(function(){${glue}\n${host}\n${loader}})();`, terse);
writeFileSync(`${out}/rtp.js`, tag.code + '\n');
// dist/sri.json: the integrity attribute of each script-tag file (README: "Subresource Integrity").
writeFileSync(`${out}/sri.json`, JSON.stringify({ 'rtp.js': sri(`${out}/rtp.js`), 'rtp_bg.wasm': sri('dist/rtp_bg.wasm') }, null, 2) + '\n');
const snip = await minify(snippet, { ...terse, compress: false });
writeFileSync(`${out}/snippet.min.js`, snip.code);
