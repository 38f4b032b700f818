// WebKit for the end-to-end tests: WebKitGTK's MiniBrowser (Safari's engine) driven by
// WebKitWebDriver over W3C WebDriver (plain HTTP), under an Xvfb display, behind the subset of
// puppeteer's Browser / BrowserContext / Page API the tests use.
//
// W3C WebDriver has no console, page-error, request or new-document-script events, and
// WebKitWebDriver 2.50 offers no BiDi (`webSocketUrl` fails to match), so each visitor's browser
// goes through a small forward proxy of this file (MiniBrowser's --proxy). It forwards every
// request untouched to the real server and:
// - records each request (page.on('request'));
// - puts one script at the top of each HTML document (with the page's CSP nonce, if any), run
//   before the page's own: it reports console calls, uncaught errors, unhandled rejections and
//   CSP violations back to the proxy (a synchronous XHR, so in order), then runs the scripts of
//   evaluateOnNewDocument;
// - refuses every request while setOfflineMode(true), which also switches navigator.onLine and
//   fires offline/online in the page (WebKit has no network emulation under WebDriver);
// - on a page that replaced Array.prototype.push or JSON.stringify, which WebKitWebDriver's own
//   script runner uses in the page, evaluates through the recorder instead (evaluateThroughPage).
//
// Every process here (Xvfb, WebKitWebDriver; MiniBrowser is the driver's) is started by this
// file and stopped by its pid.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';

export const MINIBROWSER = process.env.RTP_MINIBROWSER || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const DRIVER = process.env.RTP_WEBKITWEBDRIVER || '/usr/bin/WebKitWebDriver';
const XVFB = '/usr/bin/Xvfb';
const HOOK = '/__rtp-webkit-harness';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Every process started here, ended by pid if this test process exits without closing them
// (an uncaught error): the driver's MiniBrowser with them.
const started = new Set();
process.on('exit', () => {
  for (const proc of started) {
    for (const pid of [...descendants(proc.pid), proc.pid]) killWebKit(pid, proc.pid);
  }
});

/** Kills `pid` if it is `own` (a process started here) or a WebKit process under it. */
function killWebKit(pid, own) {
  try {
    if (pid === own || /MiniBrowser|WebKit/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))) process.kill(pid, 'SIGKILL');
  } catch { /* already exited */ }
}

/** Starts `cmd`; resolves once `ready(its stdout so far)` matches, rejects if it exits first. */
function start(cmd, args, opts, ready, what) {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  started.add(proc);
  proc.on('exit', () => started.delete(proc));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => { stop(proc); reject(new Error(`${what}: not ready after 15 s: ${out} ${err}`)); }, 15000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = ready(out);
      if (m) { clearTimeout(timer); resolve({ proc, match: m }); }
    });
    proc.stderr.on('data', (d) => { err = (err + d).slice(-2000); });
    proc.on('error', (e) => { clearTimeout(timer); reject(e); });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${what} exited with ${code}: ${err}`)); });
  });
}

/** The pids of a process's descendants (Linux /proc). */
function descendants(pid) {
  let kids = [];
  try { kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number); } catch { /* gone */ }
  return kids.flatMap((k) => [k, ...descendants(k)]);
}

/** Ends a process this file started, by its pid; resolves once it has exited. */
async function stop(proc) {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = once(proc, 'exit');
  proc.kill('SIGTERM');
  const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(t);
}

async function freePort() {
  const s = net.createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** Launches WebKit: an Xvfb display of its own; each context is a browser session on it. */
export async function launchWebKit() {
  // -displayfd 1: Xvfb picks a free display and writes its number on its stdout.
  const { proc: xvfb, match } = await start(XVFB, ['-displayfd', '1', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'],
    {}, (out) => /^(\d+)\n/.exec(out), 'Xvfb');
  const display = `:${match[1]}`;
  const contexts = new Set();
  return {
    name: 'webkit',
    display,
    async createBrowserContext() {
      const c = await WebKitContext.create(display);
      contexts.add(c);
      c.onClose = () => contexts.delete(c);
      return c;
    },
    async close() {
      await Promise.all([...contexts].map((c) => c.close()));
      await stop(xvfb);
    },
  };
}

/** A minimal event emitter for page.on(). */
class Events {
  constructor() { this.listeners = {}; }
  on(name, f) { (this.listeners[name] ||= []).push(f); return this; }
  emit(name, value) { for (const f of this.listeners[name] || []) f(value); }
}

/** A browser context: one WebDriver session (its own MiniBrowser, with ephemeral website data)
 * behind its own proxy. The session's first window stays open at about:blank, so that closing a
 * page is closing a tab, never quitting the browser. */
class WebKitContext {
  static async create(display) {
    const c = new WebKitContext();
    await c.startProxy();
    try {
      await c.startDriver(display);
      return await c.open();
    } catch (e) {
      await c.close();
      throw e;
    }
  }

  /** WebKitWebDriver on a free port; it prints nothing when ready: its /status answers. */
  async startDriver(display) {
    for (let attempt = 0; ; attempt++) {
      const port = await freePort();
      const proc = spawn(DRIVER, [`--port=${port}`], { stdio: 'ignore', env: { ...process.env, DISPLAY: display } });
      started.add(proc);
      let exited = false;
      proc.on('exit', () => { exited = true; started.delete(proc); });
      this.base = `http://127.0.0.1:${port}`;
      for (let i = 0; i < 200 && !exited; i++) {
        try {
          await fetch(`${this.base}/status`);
          this.driver = proc;
          return;
        } catch { await sleep(50); }
      }
      await stop(proc);
      if (attempt >= 2) throw new Error(`WebKitWebDriver did not start on port ${port}`);
    }
  }

  constructor() {
    this.pages = new Set();
    this.inits = [];
    this.offline = false;
    this.documents = 0; // documents started in any page: navigation is counted from them
    this.queue = Promise.resolve();
    this.current = null;
    // The page's own channel (see evaluate): commands waiting, and their answers awaited.
    this.blind = false;
    this.commands = [];
    this.waiting = new Map();
    this.nextCommand = 0;
  }

  async open() {
    const s = await this.raw('POST', '/session', {
      capabilities: {
        alwaysMatch: {
          pageLoadStrategy: 'none',
          timeouts: { script: 120000, pageLoad: 60000, implicit: 0 },
          'webkitgtk:browserOptions': {
            binary: MINIBROWSER,
            args: ['--automation', `--proxy=http://127.0.0.1:${this.proxyPort}`, '--ignore-host='],
          },
        },
      },
    });
    this.session = `/session/${s.sessionId}`;
    this.browserVersion = s.capabilities.browserVersion;
    this.anchor = await this.raw('GET', `${this.session}/window`);
    this.current = this.anchor;
    return this;
  }

  /** One WebDriver command; throws the driver's error. */
  async raw(method, path, body) {
    const r = await fetch(this.base + path, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const j = await r.json();
    if (r.status !== 200) {
      const e = new Error(`WebDriver ${method} ${path}: ${j.value && j.value.error}: ${j.value && j.value.message}`);
      e.code = j.value && j.value.error;
      throw e;
    }
    return j.value;
  }

  /** Runs `f` alone in the session, with `handle` the current window (the session has one). */
  inWindow(handle, f) {
    const run = this.queue.then(async () => {
      if (this.current !== handle) {
        await this.raw('POST', `${this.session}/window`, { handle });
        this.current = handle;
      }
      return f();
    });
    this.queue = run.catch(() => {});
    return run;
  }

  async newPage() {
    const { handle } = await this.inWindow(this.anchor, () => this.raw('POST', `${this.session}/window/new`, { type: 'tab' }));
    const page = new WebKitPage(this, handle);
    this.pages.add(page);
    return page;
  }

  /** Everything the pages report, as puppeteer's events on every page of this context. */
  emit(name, value) {
    for (const p of this.pages) p.events.emit(name, value);
  }

  async startProxy() {
    this.proxy = http.createServer((req, res) => this.forward(req, res));
    this.sockets = new Set();
    this.proxy.on('connection', (s) => { this.sockets.add(s); s.on('close', () => this.sockets.delete(s)); });
    // WebSockets and https: a plain tunnel.
    this.proxy.on('connect', (req, client, head) => {
      const [host, port] = req.url.split(':');
      if (this.offline) return client.destroy();
      const up = net.connect(Number(port) || 443, host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        up.write(head);
        up.pipe(client);
        client.pipe(up);
      });
      up.on('error', () => client.destroy());
      client.on('error', () => up.destroy());
    });
    this.proxy.listen(0, '127.0.0.1');
    await once(this.proxy, 'listening');
    this.proxyPort = this.proxy.address().port;
  }

  async stopProxy() {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.proxy.close(r));
  }

  forward(req, res) {
    let url;
    try { url = new URL(req.url); } catch { res.writeHead(400).end(); return; }
    if (url.pathname === `${HOOK}/report`) return this.report(req, res);
    this.emit('request', { url: () => url.href, method: () => req.method, headers: () => req.headers });
    // Offline: as a network that is down, the connection is dropped without an answer.
    if (this.offline) { req.socket.destroy(); return; }
    const headers = { ...req.headers };
    delete headers['proxy-connection'];
    const document = req.method === 'GET' && /text\/html/.test(headers.accept || '');
    if (document) delete headers['accept-encoding']; // the document is rewritten: plain text
    const up = http.request({ host: url.hostname, port: url.port || 80, path: url.pathname + url.search, method: req.method, headers }, (r) => {
      const type = r.headers['content-type'] || '';
      if (!document || !/^text\/html/.test(type)) {
        res.writeHead(r.statusCode, r.rawHeaders);
        r.pipe(res);
        return;
      }
      const chunks = [];
      r.on('data', (d) => chunks.push(d));
      r.on('end', () => {
        const html = this.inject(Buffer.concat(chunks).toString('utf8'), r.headers['content-security-policy']);
        const out = { ...r.headers, 'content-length': Buffer.byteLength(html) };
        delete out['transfer-encoding'];
        res.writeHead(r.statusCode, out);
        res.end(html);
      });
    });
    // The server dropped the connection (the collector's 'close' fault): so does the proxy.
    up.on('error', () => req.socket.destroy());
    req.pipe(up);
  }

  /** The HTML with the harness's script first in <head> (after <head>, or at the start). */
  inject(html, csp) {
    const nonce = csp && /'nonce-([^']+)'/.exec(csp);
    const script = `<script${nonce ? ` nonce="${nonce[1]}"` : ''}>${this.initScript()}</script>`;
    const head = /<head[^>]*>/i.exec(html);
    if (head) return html.slice(0, head.index + head[0].length) + script + html.slice(head.index + head[0].length);
    const doctype = /^\s*<!doctype[^>]*>/i.exec(html);
    const at = doctype ? doctype[0].length : 0;
    return html.slice(0, at) + script + html.slice(at);
  }

  initScript() {
    const user = this.inits.map((s) => `try{(${s.fn})(...${JSON.stringify(s.args)})}catch(e){}`).join(';');
    const offline = this.offline ? `(${SET_ONLINE_STATE})(false,false);` : '';
    return `(${RECORDER})(${JSON.stringify(`${HOOK}/report`)});${offline}${user}`;
  }

  report(req, res) {
    // A page that broke what WebKitWebDriver's scripts need asks here for what to evaluate.
    if (req.method === 'GET') {
      const next = this.commands.shift();
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(next ? JSON.stringify(next) : '');
      return;
    }
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      res.writeHead(204, { 'cache-control': 'no-store' }).end();
      let m;
      try { m = JSON.parse(body); } catch { return; }
      if (m.kind === 'document') { this.documents += 1; this.blind = false; }
      else if (m.kind === 'blind') this.blind = true;
      else if (m.kind === 'result' && this.waiting.has(m.id)) this.waiting.get(m.id)(m);
      else if (m.kind === 'console') this.emit('console', { type: () => m.type, text: () => m.text });
      else if (m.kind === 'pageerror') this.emit('pageerror', new Error(m.text));
    });
  }

  async setOffline(on) {
    this.offline = on;
    for (const p of this.pages) {
      await p.evaluate(SET_ONLINE_STATE, !on, true).catch(() => {});
    }
  }

  async close() {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.queue;
      await this.raw('DELETE', this.session);
    } catch { /* the browser may already be gone */ }
    // The driver does not end the MiniBrowser it started when it is stopped itself: a browser
    // left over (a session that did not close) goes by its pid, with its own processes.
    const left = this.driver ? descendants(this.driver.pid) : [];
    await stop(this.driver);
    for (const pid of left) killWebKit(pid, null);
    if (this.proxy) await this.stopProxy();
    if (this.onClose) this.onClose();
  }

}

/** A page: one window (a tab) of the context's session. */
class WebKitPage {
  constructor(context, handle) {
    this.context = context;
    this.handle = handle;
    this.events = new Events();
  }

  on(name, f) { this.events.on(name, f); return this; }

  cmd(method, path, body) {
    return this.context.inWindow(this.handle, () => this.context.raw(method, `${this.context.session}${path}`, body));
  }

  // Navigation: the session's page load strategy is 'none' (with 'eager' or 'normal',
  // WebKitWebDriver held the first command after a navigation for seconds on a page that polls
  // with fetch), so each navigation waits here, as puppeteer does: for the new document's start
  // (the recorder reports it; a page restored from the back-forward cache reports its pageshow),
  // then for its load event (or DOMContentLoaded).

  /** Waits until `done()` is true, then until the document has reached `waitUntil`. */
  async settle(done, waitUntil = 'load', what = 'the navigation') {
    const end = Date.now() + 30000;
    while (!(await done())) {
      if (Date.now() > end) throw new Error(`${what}: no new document after 30 s`);
      await sleep(25);
    }
    await this.waitForFunction(waitUntil === 'domcontentloaded'
      ? () => document.readyState !== 'loading'
      : () => document.readyState === 'complete', { timeout: 30000 });
    this.lastUrl = await this.evaluate(() => location.href);
  }

  /** A check that is true once a document has started in the context after this call. */
  newDocument() {
    const from = this.context.documents;
    return () => this.context.documents > from;
  }

  async goto(url, { waitUntil } = {}) {
    const started = this.newDocument();
    this.context.blind = false;
    await this.cmd('POST', '/url', { url });
    // A page of a test server has the recorder; about:blank and the like are only loaded.
    const http = /^https?:/.test(url);
    await this.settle(async () => (http ? started() : (await this.evaluate(() => location.href).catch(() => '')) === url), waitUntil, `goto ${url}`);
    return null;
  }

  async reload({ waitUntil } = {}) {
    const started = this.newDocument();
    await this.cmd('POST', '/refresh', {});
    await this.settle(async () => started(), waitUntil, 'reload');
  }

  /** Back in history: to another document, or within the page (a single-page app's route). */
  async goBack({ waitUntil } = {}) {
    const started = this.newDocument();
    const from = await this.evaluate(() => location.href);
    await this.cmd('POST', '/back', {});
    await this.settle(async () => started() || (await this.evaluate(() => location.href).catch(() => from)) !== from, waitUntil, 'goBack');
  }

  /** Resolves once a new document has started in the context, and loaded. */
  async waitForNavigation({ waitUntil } = {}) {
    const started = this.newDocument();
    await this.settle(async () => started(), waitUntil, 'waitForNavigation');
  }

  url() { return this.lastUrl; }

  /** Runs `fn(...args)` in the page (awaiting a promise it returns); the result as JSON. */
  async evaluate(fn, ...args) {
    const src = typeof fn === 'function' ? fn.toString() : `() => (${fn})`;
    // The arguments are in the script's text: WebKitWebDriver reads a command's arguments with
    // the page's JSON.parse, which a page may have replaced.
    const script = `var done = arguments[arguments.length - 1], ascii = window.__rtpE2eResult;
      function out(m) { try { done(ascii ? ascii(m) : m); } catch (e) { done({ e: 'result not serialisable: ' + e }); } }
      try {
        Promise.resolve((${src}).apply(null, ${JSON.stringify(args)})).then(
          function (v) { out(v === undefined ? { u: 1 } : { v: v }); },
          function (e) { out({ e: String(e && e.message ? e.message : e) }); });
      } catch (e) { out({ e: String(e && e.message ? e.message : e) }); }`;
    let r = this.context.blind
      ? await this.evaluateThroughPage(src, args)
      : await this.cmd('POST', '/execute/async', { script, args: [] });
    if (typeof r === 'string') r = JSON.parse(r);
    if (r && r.e !== undefined) throw new Error(`Evaluation failed: ${r.e}`);
    return r && r.u ? undefined : r && r.v;
  }

  /** Evaluation on a page that replaced Array.prototype.push or JSON.stringify, which
   * WebKitWebDriver's scripts use (each command fails "broken by the page"): the recorder, which
   * kept the originals, polls the proxy for the function and posts its result back. */
  evaluateThroughPage(src, args) {
    const c = this.context;
    const id = ++c.nextCommand;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { c.waiting.delete(id); reject(new Error('evaluation in the page: no answer in 30 s')); }, 30000);
      c.waiting.set(id, (m) => { clearTimeout(timer); c.waiting.delete(id); resolve(m); });
      c.commands.push({ id, src, args });
    });
  }

  async $eval(selector, fn, ...args) {
    return this.evaluate(`(${fn.toString()})(document.querySelector(${JSON.stringify(selector)}), ...${JSON.stringify(args)})`);
  }

  /** Polls `fn(...args)` until it returns a truthy value; resolves to true. */
  async waitForFunction(fn, { timeout = 30000 } = {}, ...args) {
    const end = Date.now() + timeout;
    let last = 'false';
    for (;;) {
      try {
        if (await this.evaluate(`!!(${fn.toString()})(...${JSON.stringify(args)})`)) return true;
      } catch (e) {
        last = e.message; // a document being replaced: try again in the next one
      }
      if (Date.now() > end) throw new Error(`Waiting failed: ${timeout}ms exceeded (last: ${last})`);
      await sleep(50);
    }
  }

  async click(selector) {
    const el = await this.cmd('POST', '/element', { using: 'css selector', value: selector });
    await this.cmd('POST', `/element/${Object.values(el)[0]}/click`, {});
  }

  /** Runs `fn(...args)` at the start of every later document of this context. */
  async evaluateOnNewDocument(fn, ...args) {
    this.context.inits.push({ fn: fn.toString(), args });
  }

  async setOfflineMode(on) { await this.context.setOffline(on); }

  async close() {
    this.context.pages.delete(this);
    await this.cmd('DELETE', '/window');
    this.context.current = null;
  }

  createCDPSession() { throw new Error('WebKit has no DevTools protocol here'); }
}

// Run in the page before its own scripts (serialised with toString): reports console calls,
// uncaught errors, unhandled rejections and CSP violations to the proxy. It keeps its own
// references, since a page may replace globals (tests/e2e/pages/hostile-globals.html does).
function RECORDER(path) {
  var XHR = XMLHttpRequest, open = XHR.prototype.open, send = XHR.prototype.send;
  var stringify = JSON.stringify, con = window.console;
  // For evaluate(): the result as ASCII JSON text, made with the originals (a page may replace
  // JSON.stringify, or pollute prototypes, and WebKitWebDriver's own serialisation of a result
  // holding lone surrogates or odd values failed: "Could not parse script result").
  var charCode = String.prototype.charCodeAt;
  try {
    Object.defineProperty(window, '__rtpE2eResult', { value: function (m) {
      var json = stringify(m), out = '', i, c;
      for (i = 0; i < json.length; i++) {
        c = charCode.call(json, i);
        out += c < 0x7f ? json[i] : '\\u' + (c + 0x10000).toString(16).slice(1);
      }
      return out;
    } });
  } catch (e) { /* a page that froze window: results go as they are */ }
  function post(m) {
    try {
      var x = new XHR();
      open.call(x, 'POST', path, false);
      send.call(x, stringify(m));
    } catch (e) { /* the page is going away */ }
  }
  function text(a) {
    if (typeof a === 'string') return a;
    if (a instanceof Error) return a.name + ': ' + a.message;
    if (a !== null && typeof a === 'object') {
      try { return stringify(a); } catch (e) { return Object.prototype.toString.call(a); }
    }
    return String(a);
  }
  ['log', 'info', 'warn', 'error', 'debug'].forEach(function (type) {
    var orig = con[type];
    con[type] = function () {
      var t = '';
      for (var i = 0; i < arguments.length; i++) t += (i ? ' ' : '') + text(arguments[i]);
      post({ kind: 'console', type: type, text: t });
      return orig.apply(this, arguments);
    };
  });
  // Not the page's errors: those of a WebKitWebDriver script that failed on the page's broken
  // globals (its frames are evaluateJavaScriptFunction; an error event then has no script).
  function driver(e) { return typeof (e && e.stack) === 'string' && e.stack.indexOf('evaluateJavaScriptFunction@') >= 0; }
  addEventListener('error', function (e) {
    if ((!e.filename && !e.error) || driver(e.error)) return;
    post({ kind: 'pageerror', text: e.error && e.error.message ? e.error.message : e.message });
  });
  addEventListener('unhandledrejection', function (e) {
    if (driver(e.reason)) return;
    post({ kind: 'pageerror', text: e.reason && e.reason.message ? e.reason.message : String(e.reason) });
  });
  // The browser's own console message about a violation is not visible to scripts: the event is.
  addEventListener('securitypolicyviolation', function (e) {
    post({ kind: 'console', type: 'error', text: 'Content Security Policy: refused ' + e.blockedURI + ' (' + e.effectiveDirective + ')' });
  });
  // A page that replaced what WebKitWebDriver's scripts use: evaluate what the harness sends
  // through the proxy, with the originals kept here (see WebKitPage.evaluateThroughPage).
  var push = Array.prototype.push, parse = JSON.parse, P = Promise, later = setTimeout, ev = eval;
  function get() {
    var x = new XHR();
    open.call(x, 'GET', path, false);
    send.call(x, null);
    return x.responseText;
  }
  function poll() {
    var c;
    try { c = get(); } catch (e) { return; }
    if (c) {
      c = parse(c);
      var done = function (r) { r.kind = 'result'; r.id = c.id; post(r); };
      var fail = function (e) { done({ e: String(e && e.message ? e.message : e) }); };
      try {
        P.resolve(ev('(' + c.src + ')').apply(null, c.args)).then(function (v) {
          done(v === undefined ? { u: 1 } : { v: v });
        }, fail);
      } catch (e) { fail(e); }
    }
    later(poll, 20);
  }
  document.addEventListener('DOMContentLoaded', function () {
    if (Array.prototype.push !== push || JSON.stringify !== stringify) {
      post({ kind: 'blind' });
      poll();
    }
  });
  post({ kind: 'document', url: location.href });
  addEventListener('pageshow', function (e) {
    if (e.persisted) post({ kind: 'document', url: location.href });
  });
}

// Run in the page by setOfflineMode: navigator.onLine as the network emulation sets it, and
// the event the browser fires.
function SET_ONLINE_STATE(online, fire) {
  var proto = Navigator.prototype, key = '__rtpHarnessOnLine';
  if (!Object.prototype.hasOwnProperty.call(window, key)) {
    Object.defineProperty(window, key, { value: Object.getOwnPropertyDescriptor(proto, 'onLine') });
  }
  if (online) Object.defineProperty(proto, 'onLine', window[key]);
  else Object.defineProperty(proto, 'onLine', { configurable: true, get: function () { return false; } });
  if (fire) dispatchEvent(new Event(online ? 'online' : 'offline'));
}
