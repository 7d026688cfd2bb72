// Small helpers for the benchmarks: statistics, formatting, bounded child processes and RSS sampling.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';

export function median(values) {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export function round(n, digits = 1) {
  if (!Number.isFinite(n)) return n;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function summarize(samples) {
  return {
    n: samples.length,
    min: round(Math.min(...samples), 2),
    median: round(median(samples), 2),
    p95: round(percentile(samples, 95), 2),
    max: round(Math.max(...samples), 2),
  };
}

export const fmtInt = (n) => Math.round(n).toLocaleString('en-US');
export const fmtMs = (n) => (n >= 100 ? fmtInt(n) : round(n, 1).toString());
export const fmtS = (ms) => `${round(ms / 1000, ms >= 100_000 ? 0 : 1)} s`;
export const fmtMB = (bytes) => `${fmtInt(bytes / 1048576)} MB`;

/** Every child started through this module, so that an interrupted run can end them. */
const live = new Set();

/** Kill a child started with `detached: true` together with its process group. */
export function killTree(child, signal = 'SIGKILL') {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

export function killAllChildren() {
  for (const child of live) killTree(child);
  live.clear();
}

/**
 * Spawn a child in its own process group (so a timeout ends it and all its descendants),
 * tracked for cleanup. Returns the ChildProcess.
 */
export function spawnTracked(cmd, args, options = {}) {
  const child = spawn(cmd, args, { ...options, detached: true });
  live.add(child);
  child.on('exit', () => live.delete(child));
  child.on('error', () => live.delete(child));
  return child;
}

/** A memory figure of /proc/<pid>/status in bytes (`VmRSS` resident, `VmHWM` peak), or undefined if the process is gone. */
function procStatusBytes(pid, field) {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+)\\s+kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Resident set size of one process in bytes, or undefined if it is gone. */
export const rssOf = (pid) => procStatusBytes(pid, 'VmRSS');

/** Peak resident set size of one process in bytes, or undefined. */
export const hwmOf = (pid) => procStatusBytes(pid, 'VmHWM');

const PAGE = 4096;

/** Sum of the RSS of every process in process group `pgid` (from /proc/<pid>/stat and statm). */
export function groupRss(pgid) {
  let total = 0;
  let entries;
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return undefined;
  }
  for (const e of entries) {
    if (e.charCodeAt(0) < 48 || e.charCodeAt(0) > 57) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      // fields after the command name: state ppid pgrp ...
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(rest[2]) !== pgid) continue;
      const statm = fs.readFileSync(`/proc/${e}/statm`, 'utf8').split(' ');
      total += Number(statm[1]) * PAGE;
    } catch {
      // process ended meanwhile
    }
  }
  return total;
}

export const hasGnuTime = (() => {
  try {
    fs.accessSync('/usr/bin/time', fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
})();

/**
 * Run a command to completion with a wall-clock bound, measuring wall time and peak RSS.
 * Peak RSS comes from GNU time (`/usr/bin/time -v`, maximum RSS of the largest process) when
 * available, and from sampling /proc for the whole process group every `sampleMs` otherwise
 * (both are recorded). stdout/stderr are captured up to `maxOutput` characters unless
 * `stdout: 'ignore'`.
 */
export function runMeasured(cmd, args, { timeoutMs, cwd, env, stdout = 'pipe', maxOutput = 1 << 20, sampleMs = 50 } = {}) {
  return new Promise((resolve) => {
    const useTime = hasGnuTime;
    const timeFile = useTime ? `/tmp/modellint-bench-time-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.txt` : undefined;
    const argv = useTime ? ['-v', '-o', timeFile, cmd, ...args] : args;
    const exe = useTime ? '/usr/bin/time' : cmd;
    const t0 = performance.now();
    let child;
    try {
      child = spawnTracked(exe, argv, { cwd, env, stdio: ['ignore', stdout, 'pipe'] });
    } catch (e) {
      resolve({ error: String(e?.message ?? e) });
      return;
    }
    const output = captureOutput(child, maxOutput);
    let peakSampled = 0;
    const sample = () => {
      const r = groupRss(child.pid);
      if (r && r > peakSampled) peakSampled = r;
    };
    const sampler = setInterval(sample, sampleMs);
    const deadline = killAfter(child, timeoutMs);
    child.on('error', (e) => {
      clearInterval(sampler);
      deadline.clear();
      resolve({ error: String(e?.message ?? e) });
    });
    child.on('close', (code, signal) => {
      const wallMs = performance.now() - t0;
      clearInterval(sampler);
      deadline.clear();
      let maxRss;
      let cpuMs;
      let timeReport;
      if (timeFile) {
        try {
          timeReport = fs.readFileSync(timeFile, 'utf8');
          fs.rmSync(timeFile, { force: true });
          const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(timeReport);
          if (m) maxRss = Number(m[1]) * 1024;
          const user = /User time \(seconds\): ([\d.]+)/.exec(timeReport);
          const sys = /System time \(seconds\): ([\d.]+)/.exec(timeReport);
          if (user && sys) cpuMs = (Number(user[1]) + Number(sys[1])) * 1000;
          const exit = /Exit status: (\d+)/.exec(timeReport);
          if (exit) code = Number(exit[1]);
          if (/Command terminated by signal/.test(timeReport)) signal = signal ?? 'signal';
        } catch {
          // time did not write its report (killed)
        }
      }
      resolve({ code, signal, timedOut: deadline.timedOut(), wallMs, cpuMs, peakRss: maxRss ?? (peakSampled || undefined), peakRssSampled: peakSampled || undefined, stdout: output.out(), stderr: output.err() });
    });
  });
}

/** Collects a child's stdout/stderr (each up to `max` characters). */
function captureOutput(child, max = Infinity) {
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => {
    if (out.length < max) out += d;
  });
  child.stderr?.on('data', (d) => {
    if (err.length < max) err += d;
  });
  return { out: () => out, err: () => err };
}

/** Kills the child's process group after `ms`; `clear()` when it ended. */
function killAfter(child, ms) {
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killTree(child);
  }, ms);
  return { timedOut: () => timedOut, clear: () => clearTimeout(timer) };
}

/** Run a command and capture its output, bounded in time. */
export function runCapture(cmd, args, { timeoutMs = 60_000, cwd, env } = {}) {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawnTracked(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      resolve({ code: null, error: String(e?.message ?? e), stdout: '', stderr: '' });
      return;
    }
    const output = captureOutput(child);
    const deadline = killAfter(child, timeoutMs);
    child.on('error', (e) => {
      deadline.clear();
      resolve({ code: null, error: String(e?.message ?? e), stdout: output.out(), stderr: output.err() });
    });
    child.on('close', (code, signal) => {
      deadline.clear();
      resolve({ code, signal, timedOut: deadline.timedOut(), stdout: output.out(), stderr: output.err() });
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resolve with `promise`, or reject after `ms` with `message`. */
export function withTimeout(promise, ms, message) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]);
}
