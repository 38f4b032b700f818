// The npm package inside a small app, bundled by esbuild as an app's bundler would (format esm:
// the package's new URL('rtp_bg.wasm', import.meta.url) resolves beside the bundle, where
// setup.sh copies the wasm). The page loads it as a module script, so its first event is sent
// when the app starts, not before the tag loads as with the snippet.
import { configure, rtp } from '../../dist/npm/index.js';

configure({ endpoint: location.origin + '/collect/rtp', account: 'bench' });
window.__call = (v) => rtp('send', 'event', { value: v });
window.__loaded = () => typeof rtp('set', 'debug', false) === 'string';
window.__call(window.__m);
