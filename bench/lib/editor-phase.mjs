// Editor latency, measured in a fresh process against the bundled engine (run by bench/run.mjs):
//   node bench/lib/editor-phase.mjs <engine.cjs> <file.py> <edits> <fullRuns> [cold]
// With "cold", only the first analysis in a fresh process is measured (no start-up warm-up);
// otherwise the engine is first warmed up the way the language server does at initialize.
// Prints one JSON object on stdout.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { editableLines, nextEdit } from './pygen.mjs';
import { summarize } from './util.mjs';

const [enginePath, file, editsArg = '50', fullArg = '10', mode = 'warm'] = process.argv.slice(2);
const edits = Number(editsArg);
const fullRuns = Number(fullArg);
const require = createRequire(import.meta.url);

const tLoad = performance.now();
const engine = require(enginePath);
const loadMs = performance.now() - tLoad;

const tInit = performance.now();
await engine.initParsers();
const initMs = performance.now() - tInit;

const uri = pathToFileURL(file).href;
let text = readFileSync(file, 'utf8');
const cache = new engine.ParseCache();
const ctx = { rules: engine.allRules, workspace: engine.emptyWorkspace, selection: {}, options: { trustedRepos: [] }, parseCache: cache };
const doc = (t, version) => ({ uri, languageId: 'python', text: t, version });

// (1) First analysis of the file, empty parse cache: in a fresh process ("cold"), or after the
// language server's start-up warm-up (which analyzes a built-in sample, not this file).
let warmUpMs;
if (mode !== 'cold') {
  const w = engine.warmUpEngine({ rules: engine.allRules, selection: {}, options: { trustedRepos: [] }, workspace: engine.emptyWorkspace });
  warmUpMs = w.ms;
}
let t0 = performance.now();
const first = engine.analyzeDocument(doc(text, 1), ctx);
const firstMs = performance.now() - t0;
if (mode === 'cold') {
  process.stdout.write(JSON.stringify({ firstMs }) + '\n');
  process.exit(0);
}
const byRule = {};
for (const f of first.findings) byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;

// (2) Re-analysis after one-line edits, same cache key: incremental parse.
const lines = text.split('\n');
const candidates = editableLines(lines);
const editMs = [];
const findingCounts = new Set();
for (let i = 0; i < edits; i++) {
  nextEdit(lines, candidates, i);
  text = lines.join('\n');
  t0 = performance.now();
  const r = engine.analyzeDocument(doc(text, i + 2), ctx);
  editMs.push(performance.now() - t0);
  findingCounts.add(r.findings.length);
}

// (3) Full (non-incremental) analysis of the same text, warm: no parse cache, like the CLI.
const fullCtx = { ...ctx, parseCache: undefined };
engine.analyzeDocument(doc(text, 0), fullCtx); // warm-up
const fullMs = [];
for (let i = 0; i < fullRuns; i++) {
  t0 = performance.now();
  engine.analyzeDocument(doc(text, 0), fullCtx);
  fullMs.push(performance.now() - t0);
}
cache.clear();

process.stdout.write(
  JSON.stringify({
    lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0),
    bytes: Buffer.byteLength(text),
    bundleLoadMs: loadMs,
    initParsersMs: initMs,
    firstMs,
    warmUpMs,
    findings: first.findings.length,
    findingsByRule: byRule,
    errors: first.errors,
    skipped: first.skipped,
    findingsAfterEdits: [...findingCounts],
    incremental: { ...summarize(editMs), samples: editMs.map((x) => Math.round(x * 100) / 100) },
    full: summarize(fullMs),
    rssAfter: process.memoryUsage().rss,
  }) + '\n',
);
