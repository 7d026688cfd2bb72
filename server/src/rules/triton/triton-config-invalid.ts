import { defineRule, type RuleMeta } from '../../engine/rule';
import type { Finding } from '../../engine/types';
import { scalarField } from '../../languages/pbtxt/facts';
import { finding } from './model-folder';

const meta: RuleMeta = {
  id: 'triton-config-invalid',
  title: 'Triton config.pbtxt that Triton cannot load',
  summary: 'A config.pbtxt has a text-format syntax error, an unknown field, a value of the wrong shape or kind, or a negative max_batch_size; Triton refuses to load such a model.',
  group: 'triton',
  defaultSeverity: 'error',
  fixable: 'none',
  catalog: ['TC606'],
  references: [
    { title: 'Triton model_config.proto', url: 'https://github.com/triton-inference-server/common/blob/main/protobuf/model_config.proto' },
    { title: 'Triton model configuration', url: 'https://docs.nvidia.com/deeplearning/triton-inference-server/user-guide/docs/user_guide/model_configuration.html' },
    { title: 'Protocol Buffers text format', url: 'https://protobuf.dev/reference/protobuf/textformat-spec/' },
  ],
};

function sentence(message: string): string {
  const s = `${message[0].toUpperCase()}${message.slice(1)}`;
  return /[.?!)]$/.test(s) ? s : `${s}.`;
}

export const tritonConfigInvalid = defineRule({
  meta,
  check: {
    pbtxt(facts) {
      const out: Finding[] = [];
      for (const p of facts.syntaxProblems) out.push(finding(meta, p.range, p.severity, sentence(`Syntax error: ${p.message}`)));
      for (const p of facts.schemaProblems) out.push(finding(meta, p.range, p.severity, sentence(p.message)));
      const mbs = scalarField(facts.doc.root, 'max_batch_size');
      if (mbs && mbs.value.kind === 'number' && mbs.value.value.startsWith('-')) {
        out.push(finding(meta, mbs.value.range, 'error', `max_batch_size ${mbs.value.value} is negative; use 0 for a model without batching or a positive batch bound.`));
      }
      return out;
    },
  },
});
