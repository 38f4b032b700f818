// Assembles the script-tag build in dist/ from the wasm-bindgen output in target/bindgen:
//   dist/rtp.js          the wasm-bindgen glue + js/loader.js, in one function scope, minified
//   dist/rtp_bg.wasm     the optimised wasm (already written by scripts/build.sh)
//   dist/snippet.min.js  js/snippet.js minified (placeholders LOADER_URL, ENDPOINT_URL, ACCOUNT_ID)
import { readFileSync, writeFileSync } from 'node:fs';
import { minify } from 'terser';

const glue = readFileSync('target/bindgen/rtp.js', 'utf8');
const loader = readFileSync('js/loader.js', 'utf8');
const snippet = readFileSync('js/snippet.js', 'utf8');

const terse = { ecma: 2017, compress: { passes: 2 }, mangle: true, format: { comments: false } };
const tag = await minify(`(function(){${glue}\n${loader}})();`, terse);
writeFileSync('dist/rtp.js', tag.code + '\n');
const snip = await minify(snippet, { ...terse, compress: false });
writeFileSync('dist/snippet.min.js', snip.code);
