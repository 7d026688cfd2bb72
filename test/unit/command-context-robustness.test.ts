import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeDocument, type AnalyzeContext } from '../../server/src/engine/analyze';
import { initParsers } from '../../server/src/languages/tree-sitter';
import { allRules } from '../../server/src/rules/index';
import { emptyWorkspace } from '../../server/src/workspace/workspace-facts';
import { RULE_FIXTURES } from '../helpers/fixtures';
import { mulberry32 as rng } from '../helpers/prng';

/**
 * Bad input for the command-context front-ends: invalid YAML, pathological sizes, binary junk,
 * deep `bash -c` nesting and random mutations of real fixtures. Nothing may throw (a rule that
 * throws shows up in `errors`), and time stays bounded. The bounds are generous (CI machines
 * vary); the measured times are printed as diagnostics.
 */

before(() => initParsers());

const ctx: AnalyzeContext = { rules: allRules, workspace: emptyWorkspace, selection: {}, options: { trustedRepos: [] } };

function timed(name: string, text: string): { ms: number; findings: number; skipped?: string } {
  const started = performance.now();
  const result = analyzeDocument({ uri: `file:///p/${name}`, languageId: '', text }, ctx);
  const ms = performance.now() - started;
  assert.deepEqual(result.errors, [], `${name}: ${result.errors.join('; ')}`);
  return { ms, findings: result.findings.length, ...(result.skipped ? { skipped: result.skipped } : {}) };
}


describe('command-context front-ends on bad input', () => {
  test('invalid YAML: unclosed flow collections, tabs, duplicate keys, stray documents', (t) => {
    const cases = [
      'apiVersion: v1\nkind: Pod\nspec:\n  containers: [ {name: x, image: y\n',
      'apiVersion: v1\nkind: Deployment\nspec:\n\ttemplate: {}\n',
      'apiVersion: v1\nkind: Pod\nkind: Service\nspec: {containers: [{name: a, args: [b, {c: d}], env: [1, 2, {name: 3}]}]}\n',
      'apiVersion: v1\nkind: Pod\n---\n- just\n- a list\n---\n"a scalar"\n...\n%YAML 1.2\n',
      'services:\n  x: [1, 2]\n  y:\n    command: {a: b}\n    ports: [{target: "x"}, "::1:80", "a:b:c:d"]\n    volumes: [{}, "::", 7]\n    environment: [1, {a: b}]\n',
      'apiVersion: v1\nkind: List\nitems:\n  - kind: Pod\n    spec: {containers: null}\n  - 12\n',
      'apiVersion: v1\nkind: Pod\nspec: &a\n  containers:\n    - name: x\n      args: *a\n',
    ];
    for (const [i, text] of cases.entries()) {
      const r = timed(i === 4 ? 'docker-compose.yml' : `bad-${i}.yaml`, text);
      t.diagnostic(`case ${i}: ${r.ms.toFixed(1)} ms, ${r.findings} findings`);
    }
  });

  test('a 100,000-line RUN instruction', (t) => {
    const lines = ['FROM python:3.11-slim', 'RUN set -e \\'];
    for (let i = 0; i < 100_000; i++) lines.push(`  && echo "step ${i}" > /tmp/s${i % 10} \\`);
    lines.push('  && true', 'USER 1000', 'CMD ["python", "-m", "app"]');
    const r = timed('Dockerfile', lines.join('\n'));
    t.diagnostic(`100,000-line RUN: ${r.ms.toFixed(0)} ms, ${r.findings} findings`);
    assert.ok(r.ms < 60_000, `took ${r.ms} ms`);
  });

  test('a 50,000-line shell script and a 20,000-container manifest', (t) => {
    const sh = ['#!/bin/bash'];
    for (let i = 0; i < 50_000; i++) {
      if (i % 100 === 0) sh.push(`bash -c "tritonserver --model-repository=/m${i} --model-control-mode=\\"poll\\""`);
      else if (i % 500 === 1) sh.push(`export V${i}="\${BASE:-x}/${i}"`);
      else sh.push(`echo "\${V1:-none}/${i}" | tee -a log && cp "/data/${i}.json" /out/`);
    }
    const a = timed('big.sh', sh.join('\n'));
    t.diagnostic(`50,000-line script: ${a.ms.toFixed(0)} ms, ${a.findings} findings`);
    assert.ok(a.ms < 30_000);
    const docs: string[] = [];
    for (let i = 0; i < 2_000; i++) {
      docs.push(`apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d${i}}\nspec:\n  template:\n    metadata: {labels: {app: d${i}}}\n    spec:\n      containers:\n${Array.from({ length: 10 }, (_, j) => `        - {name: c${j}, image: "r/i:${j}", args: [tritonserver, --model-repository=/m], volumeMounts: [{name: v, mountPath: /m}]}`).join('\n')}\n      volumes: [{name: v, emptyDir: {}}]`);
    }
    const b = timed('big.yaml', docs.join('\n---\n'));
    t.diagnostic(`20,000 containers: ${b.ms.toFixed(0)} ms, ${b.findings} findings`);
    assert.ok(b.ms < 60_000);
  });

  test('binary junk named Dockerfile, script or manifest', (t) => {
    const random = rng(7);
    for (const name of ['Dockerfile', 'entrypoint.sh', 'deploy.yaml', 'docker-compose.yml']) {
      for (let k = 0; k < 5; k++) {
        const bytes = Buffer.alloc(4096 * (k + 1));
        for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
        // Without NUL bytes (those are refused up front), decoded as the CLI decodes files.
        const text = bytes.toString('utf8').replace(/\0/g, ' ');
        const r = timed(name, text);
        assert.ok(r.ms < 5_000, `${name}: ${r.ms} ms`);
      }
      const nul = timed(name, 'FROM x\n\u0000\u0001\u0002');
      assert.match(nul.skipped ?? '', /binary/);
    }
    t.diagnostic('binary junk: no errors');
  });

  test('deeply nested bash -c strings stop at a bounded depth', () => {
    let script = 'tritonserver --model-control-mode=poll';
    for (let i = 0; i < 12; i++) script = `bash -c ${JSON.stringify(script)}`;
    const r = timed('nest.sh', `${script}\n`);
    assert.ok(r.ms < 5_000);
  });

  test('random mutations of the rule fixtures (Dockerfiles, shell, YAML, Python)', (t) => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/(^Dockerfile|\.(sh|ya?ml|py))$/.test(e.name)) files.push(p);
      }
    };
    for (const id of ['docker-base-image-unpinned', 'docker-runs-as-root', 'docker-unverified-download', 'secret-in-config', 'hf-cli-unpinned-download', 'k8s-model-volume-writable', 'k8s-runs-as-root', 'k8s-image-unpinned']) walk(path.join(RULE_FIXTURES, id));
    const random = rng(2024);
    const pieces = ['"', "'", '\\', '\n', '[', ']', '{', '}', ':', '- ', '$(', '${', '`', '|', '&&', '<<EOF\n', '#', '\t', '  ', '=', ',', '*', '&a', '*a', '!!binary'];
    let runs = 0;
    const started = performance.now();
    for (const file of files) {
      const original = fs.readFileSync(file, 'utf8');
      const base = path.basename(file);
      for (let m = 0; m < 25; m++) {
        let text = original;
        const edits = 1 + Math.floor(random() * 6);
        for (let e = 0; e < edits; e++) {
          const at = Math.floor(random() * (text.length + 1));
          const op = random();
          if (op < 0.4) text = text.slice(0, at) + pieces[Math.floor(random() * pieces.length)] + text.slice(at);
          else if (op < 0.7) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 20));
          else text = text.slice(0, at) + text.slice(Math.floor(random() * text.length), Math.floor(random() * text.length)) + text.slice(at);
        }
        timed(base, text);
        runs++;
      }
    }
    const ms = performance.now() - started;
    t.diagnostic(`${runs} mutated fixtures in ${ms.toFixed(0)} ms`);
    assert.ok(ms < 120_000);
  });
});
