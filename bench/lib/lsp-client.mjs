// A minimal LSP client over stdio (Content-Length framing) for the language-server benchmark.
// Push-only: it never announces pull diagnostics, answers server requests with null.
import { spawnTracked, killTree } from './util.mjs';

export class LspClient {
  constructor(cmd, args, { cwd, env } = {}) {
    this.child = spawnTracked(cmd, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.pid = this.child.pid;
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = new Set();
    this.logs = [];
    this.stderr = '';
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => resolve({ code, signal }));
      this.child.on('error', (e) => resolve({ code: null, signal: null, error: String(e?.message ?? e) }));
    });
    this.exitInfo = undefined;
    this.exited.then((info) => {
      this.exitInfo = info;
      for (const { reject } of this.pending.values()) reject(new Error(`server exited (${JSON.stringify(info)})`));
      this.pending.clear();
    });
    let buf = Buffer.alloc(0);
    this.child.stdout.on('data', (chunk) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      for (;;) {
        const headerEnd = buf.indexOf('\r\n\r\n');
        if (headerEnd < 0) break;
        const header = buf.subarray(0, headerEnd).toString('ascii');
        const m = /Content-Length:\s*(\d+)/i.exec(header);
        if (!m) {
          buf = buf.subarray(headerEnd + 4);
          continue;
        }
        const len = Number(m[1]);
        if (buf.length < headerEnd + 4 + len) break;
        const body = buf.subarray(headerEnd + 4, headerEnd + 4 + len).toString('utf8');
        buf = buf.subarray(headerEnd + 4 + len);
        let msg;
        try {
          msg = JSON.parse(body);
        } catch {
          continue;
        }
        this.onMessage(msg, performance.now());
      }
    });
    this.child.stderr.on('data', (d) => {
      if (this.stderr.length < 65536) this.stderr += d;
    });
    this.child.stdin.on('error', () => undefined);
  }

  send(msg) {
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...msg }), 'utf8');
    this.child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.child.stdin.write(body);
  }

  request(method, params) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.exitInfo) {
        reject(new Error(`server exited (${JSON.stringify(this.exitInfo)})`));
        return;
      }
      this.pending.set(id, { resolve, reject });
      this.send({ id, method, params });
    });
  }

  notify(method, params) {
    this.send({ method, params });
  }

  onMessage(msg, at) {
    if (msg.id !== undefined && msg.method === undefined) {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new Error(`${msg.error.code}: ${msg.error.message}`));
      else p.resolve(msg.result);
      return;
    }
    if (msg.id !== undefined) {
      // a request from the server (configuration, registerCapability, …): answer with null
      this.send({ id: msg.id, result: null });
      return;
    }
    if (msg.method === 'window/logMessage' || msg.method === 'window/showMessage') {
      if (this.logs.length < 200) this.logs.push(msg.params?.message ?? '');
    }
    for (const l of [...this.listeners]) l(msg, at);
  }

  /** Resolve with the arrival time of the first notification for which `match(msg)` holds. */
  waitFor(match, timeoutMs, what) {
    return new Promise((resolve, reject) => {
      const listener = (msg, at) => {
        if (!match(msg)) return;
        cleanup();
        resolve({ msg, at });
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      this.listeners.add(listener);
      this.exited.then(() => {
        if (!this.listeners.has(listener)) return;
        cleanup();
        reject(new Error(`server exited while waiting for ${what}`));
      });
    });
  }

  on(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** shutdown + exit; kill the process group if it does not exit within `graceMs`. */
  async close(graceMs = 5000) {
    let clean = false;
    if (!this.exitInfo) {
      try {
        await Promise.race([this.request('shutdown', null), new Promise((_, r) => setTimeout(() => r(new Error('shutdown timed out')), graceMs))]);
        this.notify('exit', null);
        const exited = await Promise.race([this.exited.then(() => true), new Promise((r) => setTimeout(() => r(false), graceMs))]);
        clean = exited;
      } catch {
        clean = false;
      }
    }
    if (!this.exitInfo) killTree(this.child);
    await this.exited;
    return { clean, exit: this.exitInfo };
  }
}
