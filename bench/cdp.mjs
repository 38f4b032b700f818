// A bare DevTools Protocol client: Chromium launched by hand, one WebSocket, flat sessions.
// No network interception; the caller enables the domains it needs (run.mjs: Performance, Page;
// Network only in the ready phase's own contexts, for its network profiles).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';

export async function launchChromium(bin = process.env.CHROMIUM || '/usr/bin/chromium') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rtp-bench-profile-'));
  const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${dir}`,
    '--remote-debugging-port=0', '--js-flags=--expose-gc', 'about:blank'];
  const proc = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const wsUrl = await new Promise((resolve, reject) => {
    let buf = '';
    const to = setTimeout(() => reject(new Error('no DevTools URL from chromium:\n' + buf)), 30000);
    proc.stderr.on('data', (d) => {
      buf += d;
      const m = buf.match(/DevTools listening on (ws:\/\/\S+)/);
      if (m) { clearTimeout(to); resolve(m[1]); }
    });
    proc.on('exit', (c) => reject(new Error('chromium exited ' + c + '\n' + buf)));
  });
  proc.stderr.resume();
  const cdp = new CDP(wsUrl);
  await cdp.open;
  return { proc, cdp, dir, close: async () => {
    try { await cdp.send('Browser.close'); } catch {}
    await new Promise((r) => { if (proc.exitCode !== null) r(); else { proc.on('exit', r); setTimeout(() => { try { proc.kill('SIGKILL'); } catch {} r(); }, 5000); } });
    fs.rmSync(dir, { recursive: true, force: true });
  } };
}

export class CDP {
  constructor(url) {
    this.ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1 << 30 });
    this.id = 0; this.pending = new Map(); this.listeners = [];
    this.open = new Promise((res, rej) => { this.ws.once('open', res); this.ws.once('error', rej); });
    this.ws.on('message', (data) => {
      const msg = JSON.parse(data);
      if (msg.id !== undefined) {
        const p = this.pending.get(msg.id); this.pending.delete(msg.id);
        if (!p) return;
        if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message}`)); else p.resolve(msg.result);
      } else for (const l of this.listeners) l(msg);
    });
  }
  send(method, params = {}, sessionId) {
    const id = ++this.id;
    const msg = { id, method, params }; if (sessionId) msg.sessionId = sessionId;
    return new Promise((resolve, reject) => { this.pending.set(id, { resolve, reject, method }); this.ws.send(JSON.stringify(msg)); });
  }
  // Runtime.evaluate of an expression, awaiting promises, returning the value
  async eval(sessionId, expression, timeout = 120000) {
    const r = await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true, timeout }, sessionId);
    if (r.exceptionDetails) throw new Error('page threw: ' + (r.exceptionDetails.exception?.description || r.exceptionDetails.text));
    return r.result.value;
  }
}
