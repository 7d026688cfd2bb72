import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyzeDocument, type AnalyzeContext } from '../../server/src/engine/analyze';
import { applyEdits } from '../../server/src/engine/fixes';
import type { Finding } from '../../server/src/engine/types';
import { initParsers } from '../../server/src/languages/tree-sitter';
import { allRules } from '../../server/src/rules/index';
import { FsWorkspace } from '../../server/src/workspace/fs-workspace';
import { makeTree, removeTree } from '../helpers/temp-tree';

/**
 * The pinning quick-fix of hf-unpinned-revision (and trust-remote-code) fills in the commit the
 * local Hugging Face cache resolved `main` (or the given ref) to; without a cache entry it offers a
 * placeholder snippet.
 */

const COMMIT = '8f4c2e1d9b7a6c5e4d3f2a1b0c9d8e7f6a5b4c3d';
const TAG_COMMIT = '1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d';

let root: string;

before(async () => {
  await initParsers();
  root = makeTree({
    'project/.keep': '',
    'cache/models--acme-research--classifier/refs/main': `${COMMIT}\n`,
    'cache/models--acme-research--classifier/refs/v2.0': TAG_COMMIT,
    [`cache/models--acme-research--classifier/snapshots/${COMMIT}/config.json`]: '{}',
    [`cache/models--acme-research--classifier/snapshots/${TAG_COMMIT}/config.json`]: '{}',
    [`cache/datasets--acme-research--reviews/refs/main`]: COMMIT,
    [`cache/datasets--acme-research--reviews/snapshots/${COMMIT}/train.parquet`]: '',
  });
});

after(() => removeTree(root));

function findings(text: string, hfCache?: string, trustedRepos: string[] = []): Finding[] {
  const file = path.join(root, 'project', 'train.py');
  const workspace = new FsWorkspace({ roots: [path.join(root, 'project')], hfCache: hfCache ?? path.join(root, 'no-cache-here'), env: {} });
  const ctx: AnalyzeContext = { rules: allRules, workspace, selection: {}, options: { trustedRepos } };
  const result = analyzeDocument({ uri: pathToFileURL(file).toString(), languageId: 'python', text }, ctx);
  assert.deepEqual(result.errors, []);
  return result.findings;
}

function only(fs: Finding[], ruleId: string): Finding {
  const matching = fs.filter((f) => f.ruleId === ruleId);
  assert.equal(matching.length, 1, `expected one ${ruleId} finding, got ${JSON.stringify(fs.map((f) => f.ruleId))}`);
  return matching[0];
}

describe('hf-unpinned-revision pin fix', () => {
  const source = [
    'from transformers import AutoModelForSequenceClassification',
    '',
    'model = AutoModelForSequenceClassification.from_pretrained("acme-research/classifier", num_labels=3)',
    '',
  ].join('\n');

  test('inserts the exact commit the cache maps main to, as a safe preferred fix', () => {
    const f = only(findings(source, path.join(root, 'cache')), 'hf-unpinned-revision');
    const fix = f.fixes?.[0];
    assert.ok(fix, 'a fix is offered');
    assert.equal(fix.safe, true);
    assert.equal(fix.preferred, true);
    assert.ok(!fix.snippet);
    assert.match(fix.title, new RegExp(COMMIT.slice(0, 12)));
    assert.equal(
      applyEdits(source, fix.edits),
      source.replace('num_labels=3)', `num_labels=3, revision="${COMMIT}")`),
    );
  });

  test('the fixed text is no longer reported', () => {
    const fixed = applyEdits(source, only(findings(source, path.join(root, 'cache')), 'hf-unpinned-revision').fixes![0].edits);
    assert.deepEqual(findings(fixed, path.join(root, 'cache')).filter((f) => f.ruleId === 'hf-unpinned-revision'), []);
  });

  test('a tag is replaced by the commit the cache resolved that tag to', () => {
    const text = 'from transformers import AutoTokenizer\ntok = AutoTokenizer.from_pretrained("acme-research/classifier", revision="v2.0")\n';
    const fix = only(findings(text, path.join(root, 'cache')), 'hf-unpinned-revision').fixes![0];
    assert.equal(fix.safe, true);
    assert.equal(applyEdits(text, fix.edits), text.replace('"v2.0"', `"${TAG_COMMIT}"`));
  });

  test('datasets are looked up under datasets--…', () => {
    const text = 'from datasets import load_dataset\nds = load_dataset("acme-research/reviews", split="train")\n';
    const fix = only(findings(text, path.join(root, 'cache')), 'hf-unpinned-revision').fixes![0];
    assert.equal(applyEdits(text, fix.edits), text.replace('split="train")', `split="train", revision="${COMMIT}")`));
  });

  test('without a cache entry the fix is a placeholder snippet, never safe', () => {
    const f = only(findings(source), 'hf-unpinned-revision');
    const fix = f.fixes?.[0];
    assert.ok(fix);
    assert.equal(fix.safe, false);
    assert.equal(fix.snippet, true);
    assert.equal(fix.edits.length, 1);
    assert.equal(fix.edits[0].newText, ', revision="${1:<40-hex commit>}"');
  });

  test('a repository the cache does not know gets the placeholder even when a cache exists', () => {
    const text = 'from transformers import AutoModel\nm = AutoModel.from_pretrained("acme-research/other")\n';
    const fix = only(findings(text, path.join(root, 'cache')), 'hf-unpinned-revision').fixes![0];
    assert.equal(fix.snippet, true);
    assert.match(fix.edits[0].newText, /revision="\$\{1:<40-hex commit>\}"/);
  });

  test('trust-remote-code offers the same cached pin first, keeping trust_remote_code', () => {
    const text = 'from transformers import AutoModel\nm = AutoModel.from_pretrained("acme-research/classifier", trust_remote_code=True)\n';
    const f = only(findings(text, path.join(root, 'cache')), 'trust-remote-code');
    const fix = f.fixes![0];
    assert.match(fix.title, /keeping trust_remote_code/);
    assert.equal(applyEdits(text, fix.edits), text.replace('trust_remote_code=True)', `trust_remote_code=True, revision="${COMMIT}")`));
  });

  test('an upper-case commit is fixed by lower-casing it', () => {
    const text = `from huggingface_hub import hf_hub_download\np = hf_hub_download("acme-research/classifier", "config.json", revision="${COMMIT.toUpperCase()}")\n`;
    const f = only(findings(text), 'hf-unpinned-revision');
    assert.equal(f.severity, 'info');
    assert.equal(applyEdits(text, f.fixes![0].edits), text.replace(COMMIT.toUpperCase(), COMMIT));
  });

  test('timm hf-hub: ids are pinned inside the id', () => {
    const text = 'import timm\nm = timm.create_model("hf-hub:acme-research/classifier", pretrained=True)\n';
    const f = only(findings(text, path.join(root, 'cache')), 'hf-unpinned-revision');
    assert.equal(applyEdits(text, f.fixes![0].edits), text.replace('"hf-hub:acme-research/classifier"', `"hf-hub:acme-research/classifier@${COMMIT}"`));
  });

  test('trusted repositories (globs) are not reported, other repositories still are', () => {
    const text = [
      'import pandas as pd',
      'from transformers import AutoModel',
      'a = AutoModel.from_pretrained("acme-research/classifier")',
      'b = AutoModel.from_pretrained("other-org/classifier")',
      'df = pd.read_parquet("hf://datasets/acme-research/reviews/train.parquet")',
      '',
    ].join('\n');
    const reported = findings(text, undefined, ['acme-research/*']).filter((f) => f.ruleId === 'hf-unpinned-revision');
    assert.deepEqual(reported.map((f) => f.range.start.line), [3]);
  });
});
