// The bench's local sink: one Node HTTP server on 127.0.0.1 that serves the bench pages and every
// tag's files, and accepts every tag's collection requests (any POST, and GET pixels), decoding
// each body (gzip, base64, form, JSON) and counting the bench markers ("bm" + letters/digits/_)
// it carries. Counting markers keeps the count uniform across payload formats.
// Static JS and wasm go gzip -9 encoded when the browser accepts it, as a CDN serves them: the
// network profiles of the ready figure (run.mjs) throttle the bytes on the wire.
// Builds of rtp-tag other than dist/ ("variants", setVariants) are served under /dist@<name>/,
// and a page asked for with ?v=<name> inlines that build's snippet; every GET is logged with
// its Referer (`gets`), so a run can count the wasm requests of one page load.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const NM = path.join(HERE, 'node_modules');
export const SEGMENT_KEY = 'benchWriteKey';
export const POSTHOG_KEY = 'phc_bench';

const MIME = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html; charset=utf-8', '.json': 'application/json' };
const MARK = /bm[a-z0-9_]+/g;

export function nowMs() { return performance.timeOrigin + performance.now(); }

// URL path -> file on disk (for static files; the bench also uses this to size what a page fetched).
export let DIST = path.join(ROOT, 'dist');
export function setDist(d) { DIST = d; }
let VARIANTS = {};
/** name -> folder holding a build's rtp.js, rtp_bg.wasm, snippet.min.js and sri.json */
export function setVariants(v) { VARIANTS = v; }
const distOf = (v) => (v ? VARIANTS[v] : DIST);
export function fileFor(p) {
  if (p.startsWith('/dist/')) return path.join(DIST, path.basename(p));
  const variant = /^\/dist@([a-z0-9-]+)\//.exec(p);
  if (variant && VARIANTS[variant[1]]) return path.join(VARIANTS[variant[1]], path.basename(p));
  if (p.startsWith('/build/')) return path.join(HERE, 'build', path.basename(p));
  if (p.startsWith('/tags/')) return path.join(HERE, 'tags', path.basename(p));
  if (p.startsWith('/static/')) return path.join(NM, 'posthog-js', 'dist', path.basename(p));
  if (/^\/analytics\.js\/v1\/[^/]+\/analytics\.min\.js$/.test(p)) return path.join(NM, '@segment/analytics-next/dist/umd/standalone.js');
  if (p.startsWith('/analytics-next/bundles/')) return path.join(NM, '@segment/analytics-next/dist/umd', path.basename(p));
  return null;
}

// gzip -9 of a static file, computed once (files do not change during a run: dist/ is snapshotted)
const gz = new Map();
function gzipped(f) {
  if (!gz.has(f)) gz.set(f, zlib.gzipSync(fs.readFileSync(f), { level: 9 }));
  return gz.get(f);
}

function decodeBody(buf, url) {
  const out = [];
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) { try { buf = zlib.gunzipSync(buf); } catch {} }
  let s = buf.toString('utf8');
  out.push(s);
  // form bodies (data=<base64 or json>) and base64 bodies
  try {
    const f = new URLSearchParams(s);
    for (const [, v] of f) { out.push(v); try { out.push(Buffer.from(v, 'base64').toString('utf8')); } catch {} }
  } catch {}
  if (/^[A-Za-z0-9+/=\s]+$/.test(s) && s.length > 8) { try { out.push(Buffer.from(s, 'base64').toString('utf8')); } catch {} }
  out.push(decodeURIComponent(url.search || ''));
  return out.join('\n');
}

export function startSink({ port = 0 } = {}) {
  const state = {
    requests: [],          // {t, path, bytes, markers:[...]}
    gets: [],              // {t, path, referer}: every GET, for counting a page load's fetches
    arrivals: new Map(),   // marker -> first arrival time (epoch ms, sub-ms)
    waiters: [],
    port: 0,
  };
  const server = http.createServer((req, res) => {
    const t = nowMs();
    const url = new URL(req.url, 'http://x');
    const p = url.pathname;
    const cors = { 'Access-Control-Allow-Origin': req.headers.origin || '*', 'Access-Control-Allow-Credentials': 'true',
      'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] || '*', 'Access-Control-Allow-Methods': 'GET,POST,OPTIONS', 'Cache-Control': 'no-store' };
    if (req.method === 'OPTIONS') { res.writeHead(204, cors); res.end(); return; }
    if (req.method === 'GET') {
      state.gets.push({ t, path: p, referer: req.headers.referer || '' });
      if (p.startsWith('/pages/')) {
        const f = path.join(HERE, 'pages', path.basename(p));
        const v = url.searchParams.get('v') || '';
        if (fs.existsSync(f) && (!v || VARIANTS[v])) {
          const origin = `http://127.0.0.1:${state.port}`;
          const dist = v ? `/dist@${v}` : '/dist';
          let html = fs.readFileSync(f, 'utf8');
          if (html.includes('__RTP_SNIPPET__')) html = html.replace('__RTP_SNIPPET__', () => fs.readFileSync(path.join(distOf(v), 'snippet.min.js'), 'utf8').trim()
            .replace('"LOADER_URL"', `"__ORIGIN__${dist}/rtp.js"`).replace('"ENDPOINT_URL"', '"__ORIGIN__/collect/rtp"').replace('"ACCOUNT_ID"', '"bench"'));
          // the pinned form (README, "Subresource Integrity"): the loader with its integrity
          if (html.includes('__RTP_DIST__')) {
            const sri = JSON.parse(fs.readFileSync(path.join(distOf(v), 'sri.json'), 'utf8'));
            html = html.replaceAll('__RTP_DIST__', dist).replaceAll('__RTP_JS_SRI__', sri['rtp.js']).replaceAll('__RTP_WASM_SRI__', sri['rtp_bg.wasm']);
          }
          html = html.replaceAll('__ORIGIN__', origin);
          res.writeHead(200, { ...cors, 'Content-Type': MIME['.html'] }); res.end(html); return;
        }
      }
      if (p === `/v1/projects/${SEGMENT_KEY}/settings`) {
        const settings = { integrations: { 'Segment.io': { apiKey: SEGMENT_KEY, apiHost: `127.0.0.1:${state.port}/v1`, protocol: 'http' } },
          plan: { track: { __default: { enabled: true } } }, edgeFunction: {}, analyticsNextEnabled: true, middlewareSettings: {}, enabledMiddleware: {}, metrics: { sampleRate: 0 }, legacyVideoPluginsEnabled: false, remotePlugins: [] };
        res.writeHead(200, { ...cors, 'Content-Type': MIME['.json'] }); res.end(JSON.stringify(settings)); return;
      }
      const f = fileFor(p);
      if (f && fs.existsSync(f)) {
        const head = { ...cors, 'Content-Type': MIME[path.extname(f)] || 'application/octet-stream' };
        if (/\bgzip\b/.test(req.headers['accept-encoding'] || '')) { res.writeHead(200, { ...head, 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding' }); res.end(gzipped(f)); return; }
        res.writeHead(200, head);
        res.end(fs.readFileSync(f)); return;
      }
      if (p === '/favicon.ico') { res.writeHead(404, cors); res.end(); return; }
    }
    // everything else is a collection request (POST body, or a GET pixel's query)
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const t2 = nowMs();
      const buf = Buffer.concat(chunks);
      const text = decodeBody(buf, url);
      const markers = [...new Set(text.match(MARK) || [])];
      state.requests.push({ t: t2, method: req.method, path: p, bytes: buf.length, markers });
      for (const m of markers) if (!state.arrivals.has(m)) state.arrivals.set(m, t2);
      if (markers.length) { const w = state.waiters; state.waiters = []; for (const f of w) f(); }
      // PostHog's /flags and Segment's metrics get an empty JSON object
      res.writeHead(200, { ...cors, 'Content-Type': 'application/json' });
      res.end(p.startsWith('/flags') || p.startsWith('/decide') ? '{"featureFlags":{},"flags":{}}' : '{}');
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => {
    state.port = server.address().port;
    state.server = server;
    // resolves when pred() is true (checked on each marker arrival) or after ms
    state.until = (pred, ms) => new Promise((res) => {
      const end = Date.now() + ms;
      const check = () => { if (pred()) return res(true); if (Date.now() >= end) return res(false); state.waiters.push(check); };
      setTimeout(() => { const i = state.waiters.indexOf(check); if (i >= 0) state.waiters.splice(i, 1); res(pred()); }, ms);
      check();
    });
    resolve(state);
  }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const s = await startSink({ port: Number(process.env.PORT || 0) });
  console.log(`sink listening on http://127.0.0.1:${s.port}/`);
}
