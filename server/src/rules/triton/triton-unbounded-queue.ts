import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineRule, type RuleContext, type RuleMeta } from '../../engine/rule';
import type { Finding, Fix } from '../../engine/types';
import type { Invocation, ServingFacts } from '../../invocations/types';
import { childMessages, mapEntries, scalarField } from '../../languages/pbtxt/facts';
import { parsePbtxt, type PbDocument, type PbMessage } from '../../languages/pbtxt/parser';
import { boolValue, servingCommand } from '../serving/command';
import { CATALOG_SEVERITY } from '../severity';
import { finding } from './model-folder';

const meta: RuleMeta = {
  id: 'triton-unbounded-queue',
  title: 'Triton dynamic batching with an unbounded queue',
  summary: 'dynamic_batching without default_queue_policy.max_queue_size (the proto default 0 means unbounded), so a burst of requests grows the queue until memory runs out.',
  group: 'triton',
  defaultSeverity: 'info',
  fixable: 'sometimes',
  catalog: ['TC605', 'SV707'],
  references: [
    { title: 'Triton model_config.proto: ModelQueuePolicy', url: 'https://github.com/triton-inference-server/common/blob/main/protobuf/model_config.proto' },
    { title: 'Triton batchers: dynamic batcher queue policy', url: 'https://github.com/triton-inference-server/server/blob/main/docs/user_guide/batcher.md' },
    { title: 'Triton deployment guide', url: 'https://github.com/triton-inference-server/server/blob/main/docs/customization_guide/deploy.md' },
  ],
};

const PLACEHOLDER = '${1:128}';

function bounded(policy: PbMessage | undefined): boolean {
  const size = policy ? scalarField(policy, 'max_queue_size')?.value : undefined;
  return !!size && size.kind === 'number' && size.integer === true && !size.value.startsWith('-') && Number(size.value) > 0;
}

function lineText(doc: PbDocument, line: number): string {
  const start = doc.index.offsetAt({ line, character: 0 });
  const end = doc.index.lineBounds(line).end;
  return doc.text.slice(start, end);
}

/** Insert `content` (one statement) into a message block, on its own line when the block spans lines. */
function insertIntoBlock(doc: PbDocument, block: PbMessage, content: string[]): Fix['edits'] | undefined {
  if (block.closeStart === undefined || !block.open) return undefined;
  const close = doc.index.positionAt(block.closeStart);
  const open = doc.index.positionAt(block.open.start);
  const closeLine = lineText(doc, close.line);
  const closeIndent = /^\s*/.exec(closeLine)![0];
  if (close.line > open.line && closeLine.slice(0, close.character).trim() === '') {
    const firstField = block.fields.find((f) => f.nameRange.start.line > open.line);
    const fieldIndent = firstField ? /^\s*/.exec(lineText(doc, firstField.nameRange.start.line))![0] : '';
    const indent = fieldIndent.length > closeIndent.length ? fieldIndent : `${closeIndent}  `;
    const unit = indent.length > closeIndent.length ? indent.slice(closeIndent.length) : '  ';
    const text = content.map((l) => `${indent}${l.replace(/^( {2})+/, (m) => unit.repeat(m.length / 2))}\n`).join('');
    return [{ range: { start: { line: close.line, character: 0 }, end: { line: close.line, character: 0 } }, newText: text }];
  }
  // An inline block: `dynamic_batching { }` or `dynamic_batching { preferred_batch_size: 4 }`.
  const before = doc.text[block.closeStart - 1];
  const inline = content.map((l) => l.trim()).join(' ');
  return [{ range: { start: close, end: close }, newText: `${before === ' ' || before === '\t' ? '' : ' '}${inline} ` }];
}

/** Host folders a container path stands for: through the owner's bind mounts and image COPYs, or the path itself. */
function hostPaths(inv: Invocation, repo: string): string[] {
  const out: string[] = [];
  const under = (target: string) => {
    const t = target.replace(/\/+$/, '') || '/';
    return repo === t ? '' : repo.startsWith(`${t}/`) ? repo.slice(t.length + 1) : undefined;
  };
  for (const m of inv.context.mounts ?? []) {
    const rest = under(m.mountPath);
    if (rest !== undefined && m.hostPath) out.push(rest ? `${m.hostPath.replace(/\/+$/, '')}/${rest}` : m.hostPath);
  }
  for (const c of inv.context.copies ?? []) {
    const rest = under(c.target);
    if (rest !== undefined && !c.from && c.sources.length === 1) out.push(rest ? `${c.sources[0].replace(/\/+$/, '')}/${rest}` : c.sources[0]);
  }
  if (out.length === 0) out.push(repo);
  return out;
}

/** Models of a repository that stream responses (`model_transaction_policy { decoupled: true }`). */
function decoupledModels(inv: Invocation, repo: string, ctx: RuleContext): string[] {
  const out: string[] = [];
  const base = ctx.uri.startsWith('file:') ? path.dirname(fileURLToPath(ctx.uri)) : undefined;
  for (const host of hostPaths(inv, repo)) {
    // Only the folder itself (relative to the document), not folders elsewhere that merely share its name.
    const wanted = base ? path.resolve(base, host) : undefined;
    for (const ref of (ctx.workspace.listModelConfigs?.(host, ctx.uri) ?? []).slice(0, 200)) {
      if (wanted && path.resolve(ref.repository) !== wanted) continue;
      const text = ctx.workspace.readTextFile?.(ref.path, ctx.uri);
      if (text === undefined || !text.includes('decoupled')) continue;
      const root = parsePbtxt(text).root;
      const decoupled = childMessages(root, 'model_transaction_policy').some((p) => {
        const v = scalarField(p, 'decoupled')?.value;
        return v !== undefined && /^(true|True|t|1)$/.test(v.value);
      });
      if (decoupled && !out.includes(ref.model)) out.push(ref.model);
    }
  }
  return out;
}

/** SV707: gRPC streaming of decoupled models without a bound on the response pool. */
export function checkResponsePool(facts: ServingFacts, ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (const inv of facts.invocations) {
    const cmd = servingCommand(inv);
    if (cmd?.program !== 'tritonserver') continue;
    if (boolValue(cmd.value('allow-grpc')) === false || cmd.has('grpc-max-response-pool-size')) continue;
    const repos = cmd.all('model-repository').filter((u) => u.value && u.resolved).map((u) => u.value!);
    const models = [...new Set(repos.flatMap((r) => decoupledModels(inv, r, ctx)))];
    if (models.length === 0) continue;
    out.push(finding(meta, inv.program.range, CATALOG_SEVERITY.info,
      `gRPC is enabled without --grpc-max-response-pool-size, and the repository serves decoupled (streaming) models: ${models.slice(0, 5).join(', ')}${models.length > 5 ? ', …' : ''}. The response pool is unbounded by default (INT_MAX), so slow or malicious streaming clients can make the server hold responses without limit; Triton's deployment guide recommends bounding it.`));
  }
  return out;
}

export const tritonUnboundedQueue = defineRule({
  meta,
  check: {
    serving: checkResponsePool,
    pbtxt(facts) {
      const out: Finding[] = [];
      const doc = facts.doc;
      for (const field of doc.root.fields.filter((f) => f.name === 'dynamic_batching' && !f.extension)) {
        const batching = field.value?.type === 'message' ? field.value : undefined;
        if (!batching) continue;
        const defaults = childMessages(batching, 'default_queue_policy').pop();
        const levels = scalarField(batching, 'priority_levels')?.value;
        const levelCount = levels && levels.kind === 'number' && levels.integer ? Number(levels.value) : 0;
        const perLevel = mapEntries(batching, 'priority_queue_policy');
        if (bounded(defaults)) {
          // Levels with their own policy replace the default one: each of those must be bounded too.
          for (const e of perLevel) {
            const policy = e.value?.type === 'message' ? e.value : undefined;
            if (policy && !bounded(policy)) {
              out.push(finding(meta, e.valueField?.nameRange ?? e.entry.range, CATALOG_SEVERITY.low,
                `The queue policy of priority level ${e.key?.value ?? '?'} has no max_queue_size (0 = unbounded), so that level's queue is unbounded even though the default queue is bounded.`));
            }
          }
          continue;
        }
        if (levelCount > 0 && levelCount <= 1000) {
          const boundedLevels = new Set(perLevel.filter((e) => e.value?.type === 'message' && bounded(e.value)).map((e) => e.key?.value));
          let all = true;
          for (let l = 1; l <= levelCount; l++) if (!boundedLevels.has(String(l))) all = false;
          if (all) continue;
        }
        out.push(finding(meta, field.nameRange, CATALOG_SEVERITY.low,
          `dynamic_batching has no default_queue_policy { max_queue_size: N } (the proto default 0 means unbounded${levelCount > 0 ? ', and not every priority level has a bounded policy' : ''}): a burst of requests grows the queue without limit instead of being rejected. Set max_queue_size (and optionally default_timeout_microseconds with timeout_action: REJECT).`,
          queueFix(doc, batching, defaults)));
      }
      return out;
    },
  },
});

function queueFix(doc: PbDocument, batching: PbMessage, defaults: PbMessage | undefined): Fix[] {
  let edits: Fix['edits'] | undefined;
  if (!defaults) {
    edits = insertIntoBlock(doc, batching, ['default_queue_policy {', `  max_queue_size: ${PLACEHOLDER}`, '}']);
  } else {
    const size = scalarField(defaults, 'max_queue_size');
    if (size) edits = [{ range: size.value.range, newText: PLACEHOLDER }];
    else edits = insertIntoBlock(doc, defaults, [`max_queue_size: ${PLACEHOLDER}`]);
  }
  if (!edits) return [];
  return [{ title: 'Bound the queue: default_queue_policy { max_queue_size: … }', edits, safe: false, preferred: true, snippet: true }];
}

