import { defineRule, type RuleContext, type RuleMeta } from '../../engine/rule';
import type { Finding, Fix } from '../../engine/types';
import type { ServingFacts } from '../../invocations/types';
import type { JsonFacts } from '../../languages/json/facts';
import { member } from '../../languages/json/parser';
import { CATALOG_SEVERITY } from '../severity';
import { finding } from '../triton/model-folder';
import { insertArgsEdit } from './arg-edits';
import { boolValue, flag, servingCommand, type ServingCommand } from './command';
import { allEnv, envRange } from './torchserve-config';

const meta: RuleMeta = {
  id: 'serving-trust-remote-code',
  title: 'Model server told to run model code from the Hub',
  summary: 'vLLM or TGI started with --trust-remote-code (or TGI\'s TRUST_REMOTE_CODE, or "trust_remote_code": true in a Triton vLLM model.json) runs Python from the model repository; without pinned revisions, whoever can push to that repository runs code in the server.',
  group: 'serving',
  defaultSeverity: 'error',
  fixable: 'sometimes',
  catalog: ['SV720', 'SV730'],
  references: [
    { title: 'vLLM security guide', url: 'https://docs.vllm.ai/en/latest/usage/security.html' },
    { title: 'TGI launcher arguments (--trust-remote-code, --revision)', url: 'https://huggingface.co/docs/text-generation-inference/reference/launcher' },
    { title: 'Triton vLLM backend (model.json)', url: 'https://github.com/triton-inference-server/vllm_backend' },
    { title: 'CVE-2026-22807 (vLLM auto_map dynamic module loading)', url: 'https://github.com/advisories/GHSA-2pc9-4j83-qjmr' },
  ],
};

const COMMIT = /^[0-9a-f]{40}$/;

function pinnedMessage(pinned: boolean, what: string, pin = '--revision and --code-revision', drop = 'drop --trust-remote-code'): string {
  return pinned
    ? `${what} runs Python code shipped with the model (auto_map modules). The revisions are pinned to commits, so the code is fixed; review it once, and re-review on every revision bump.`
    : `${what} runs Python code shipped with the model (auto_map modules) and the code is not pinned to a commit: whoever can push to the model repository (or take it over) runs code in the server on the next start. Pin ${pin} to reviewed 40-hex commits, or ${drop}.`;
}

function vllmFinding(cmd: ServingCommand, ctx: RuleContext): Finding | undefined {
  const use = flag(cmd, 'trust-remote-code');
  if (!use || use.enabled === false) return undefined;
  const revision = flag(cmd, 'revision')?.value;
  const codeRevision = flag(cmd, 'code-revision')?.value;
  const pinned = !!revision && COMMIT.test(revision) && !!codeRevision && COMMIT.test(codeRevision);
  const missing = [...(revision && COMMIT.test(revision) ? [] : flag(cmd, 'revision') ? [] : ['--revision']), ...(codeRevision && COMMIT.test(codeRevision) ? [] : flag(cmd, 'code-revision') ? [] : ['--code-revision'])];
  const fixes: Fix[] = [];
  if (!pinned && missing.length > 0) {
    const args = missing.flatMap((m, i) => [m, `\${${i + 1}:REVIEWED_COMMIT_SHA}`]);
    const edit = insertArgsEdit(ctx.text, cmd.invocation, args);
    if (edit) fixes.push({ title: `Pin ${missing.join(' and ')} to reviewed commits`, edits: [edit], safe: false, snippet: true, preferred: true });
  }
  return finding(meta, use.item.range, pinned ? CATALOG_SEVERITY.medium : CATALOG_SEVERITY.high, pinnedMessage(pinned, 'vLLM with --trust-remote-code'), fixes);
}

function tgiFinding(cmd: ServingCommand, ctx: RuleContext): Finding | undefined {
  const use = flag(cmd, 'trust-remote-code');
  if (!use || use.enabled === false) return undefined;
  const revision = cmd.setting('revision')?.value;
  const pinned = !!revision && COMMIT.test(revision);
  const fixes: Fix[] = [];
  if (!pinned && !flag(cmd, 'revision')) {
    const edit = insertArgsEdit(ctx.text, cmd.invocation, ['--revision', '${1:REVIEWED_COMMIT_SHA}']);
    if (edit) fixes.push({ title: 'Pin --revision to a reviewed commit', edits: [edit], safe: false, snippet: true, preferred: true });
  }
  return finding(meta, use.item.range, pinned ? CATALOG_SEVERITY.medium : CATALOG_SEVERITY.high, pinnedMessage(pinned, 'text-generation-launcher --trust-remote-code', '--revision'), fixes);
}

export function checkTrustRemoteCodeServing(facts: ServingFacts, ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (const inv of facts.invocations) {
    const cmd = servingCommand(inv);
    const f = cmd?.program === 'vllm' ? vllmFinding(cmd, ctx) : cmd?.program === 'tgi' ? tgiFinding(cmd, ctx) : undefined;
    if (f) out.push(f);
  }
  const envs = allEnv(facts);
  for (const { env, context } of envs) {
    if (env.name !== 'TRUST_REMOTE_CODE' || boolValue(env.value) !== true) continue;
    const revision = envs.find((e) => e.env.name === 'REVISION' && e.context.owner === context.owner)?.env.value;
    const pinned = !!revision && COMMIT.test(revision);
    out.push(finding(meta, envRange(env), pinned ? CATALOG_SEVERITY.medium : CATALOG_SEVERITY.high, pinnedMessage(pinned, 'TRUST_REMOTE_CODE=true (text-generation-launcher reads it as --trust-remote-code)', 'REVISION', 'set TRUST_REMOTE_CODE=false')));
  }
  return out;
}

/**
 * Whether a model.json belongs to a Triton model repository: a config.pbtxt in its folder or up to
 * three folders up (`<repo>/<model>/config.pbtxt` with `<repo>/<model>/1/model.json`). A config
 * with `backend: "vllm"` next to it is the usual case; since the file already asks for remote
 * code, any Triton model folder above it is enough.
 */
function inTritonRepository(ctx: RuleContext): boolean {
  const list = ctx.workspace.listDirectory;
  if (!list) return false;
  return ['.', '..', '../..', '../../..'].some((rel) => list.call(ctx.workspace, rel, ctx.uri)?.some((e) => e.kind === 'file' && e.name === 'config.pbtxt'));
}

export function checkModelJson(facts: JsonFacts, ctx: RuleContext): Finding[] {
  const trust = member(facts.doc.root, 'trust_remote_code');
  if (!trust || trust.value.type !== 'boolean' || !trust.value.value) return [];
  if (!inTritonRepository(ctx)) return [];
  const str = (key: string) => {
    const m = member(facts.doc.root, key);
    return m?.value.type === 'string' ? m.value.value : undefined;
  };
  const pinned = COMMIT.test(str('revision') ?? '') && COMMIT.test(str('code_revision') ?? '');
  return [finding(meta, trust.value.range, pinned ? CATALOG_SEVERITY.medium : CATALOG_SEVERITY.high,
    pinnedMessage(pinned, 'The Triton vLLM backend with "trust_remote_code": true', '"revision" and "code_revision"', 'set "trust_remote_code": false'))];
}

export const servingTrustRemoteCode = defineRule({
  meta,
  triggers: ['trust-remote-code', 'TRUST_REMOTE_CODE', 'trust_remote_code'],
  check: {
    serving: checkTrustRemoteCodeServing,
    json: checkModelJson,
  },
});
