// Assembles the script-tag build in dist/ from the wasm-bindgen output of scripts/build.sh
// (target/bindgen-light: the light module; target/bindgen: the full tag):
//   dist/rtp.js            the light module's glue + js/host.js + js/light.js + js/loader.js, in
//                          one function scope, minified (js/host.js is also the npm package's
//                          host.js: scripts/build-npm.sh)
//   dist/rtp_bg.wasm       the light module (already written by scripts/build.sh)
//   dist/rtp_full.js       the full tag's glue and start() of js/host.js, handed to the loader
//   dist/rtp_full_bg.wasm  the full tag (already written by scripts/build.sh)
//   dist/snippet.min.js    js/snippet.js minified (placeholders LOADER_URL, ENDPOINT_URL, ACCOUNT_ID)
//   dist/sri.json          the Subresource Integrity hashes (sha384) of the four files; the
//                          loader carries those of the wasm files and of rtp_full.js
// `ENDPOINT=… ACCOUNT=… make build` writes the site's default endpoint and account into the
// loader (README, "Setting the endpoint once"). RTP_DIST=<folder> writes
// the files there instead of dist/, beside copies of the wasm (how tests/e2e/dropin
// builds a second loader with defaults).
import { readFileSync, writeFileSync } from 'node:fs';
import { minify } from 'terser';
import { sri } from './sri.mjs';

// The loader calls the glue's async init only: its `initSync` (and the code only it uses) is
// dropped, by exporting it nowhere, so that terser removes it.
const INIT_EXPORTS = 'Object.assign(__wbg_init, { initSync }, exports)';
function glue(dir) {
  const raw = readFileSync(`${dir}/rtp.js`, 'utf8');
  if (!raw.includes(INIT_EXPORTS)) throw new Error('build.mjs: the wasm-bindgen glue no longer ends with ' + INIT_EXPORTS);
  return raw.replace(INIT_EXPORTS, 'Object.assign(__wbg_init, exports)');
}
// js/host.js and js/light.js are ES modules (the npm package imports host.js); in the script
// their exports are plain functions of the one scope.
const plain = (file) => readFileSync(file, 'utf8').replace(/^export /gm, '');
const out = process.env.RTP_DIST || 'dist';
const terse = { ecma: 2017, compress: { passes: 2 }, mangle: true, format: { comments: false } };

// rtp_full.js first: the loader carries its hash. It hands its glue, and start() of
// js/host.js (which only the full tag needs), to the loader that asked for it (js/loader.js,
// `full`), under a registered symbol.
const full = await minify(`(function(){${glue('target/bindgen')}
${plain('js/host.js')}
var f = window[Symbol.for('rtp-full')]; f && f(wasm_bindgen, start);})();`, terse);
writeFileSync(`${out}/rtp_full.js`, full.code + '\n');

const hashes = {
  "'WASM_INTEGRITY'": sri('dist/rtp_bg.wasm'),
  "'FULL_INTEGRITY'": sri('dist/rtp_full_bg.wasm'),
  "'FULL_JS_INTEGRITY'": sri(`${out}/rtp_full.js`),
};
let loader = readFileSync('js/loader.js', 'utf8');
for (const [k, v] of Object.entries(hashes)) {
  if (!loader.includes(k)) throw new Error(`build.mjs: js/loader.js lost its ${k} placeholder`);
  loader = loader.replace(k, `'${v}'`);
}
loader = loader
  .replace("'DEFAULT_ENDPOINT'", JSON.stringify(process.env.ENDPOINT || ''))
  .replace("'DEFAULT_ACCOUNT'", JSON.stringify(process.env.ACCOUNT || ''));
if (loader.includes('DEFAULT_')) throw new Error('build.mjs: a DEFAULT_ placeholder of js/loader.js was not replaced');
const snippet = readFileSync('js/snippet.js', 'utf8');

const tag = await minify(`(function(){${glue('target/bindgen-light')}\n${plain('js/host.js')}\n${plain('js/light.js')}\n${loader}})();`, terse);
writeFileSync(`${out}/rtp.js`, tag.code + '\n');
// dist/sri.json: the integrity attribute of each script-tag file (README: "Subresource Integrity").
writeFileSync(`${out}/sri.json`, JSON.stringify({
  'rtp.js': sri(`${out}/rtp.js`),
  'rtp_bg.wasm': sri('dist/rtp_bg.wasm'),
  'rtp_full.js': sri(`${out}/rtp_full.js`),
  'rtp_full_bg.wasm': sri('dist/rtp_full_bg.wasm'),
}, null, 2) + '\n');
const snip = await minify(snippet, { ...terse, compress: false });
writeFileSync(`${out}/snippet.min.js`, snip.code);
