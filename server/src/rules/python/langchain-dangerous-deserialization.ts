import { defineRule, type RuleMeta } from '../../engine/rule';
import type { Finding } from '../../engine/types';
import { describeOrigin, isTruthy } from '../../languages/python/values';
import { CATALOG_SEVERITY, finding, mayPassKeyword } from './call-matching';

const meta: RuleMeta = {
  id: 'langchain-dangerous-deserialization',
  title: 'LangChain told to unpickle a stored index',
  summary: 'allow_dangerous_deserialization=True lets LangChain vector stores and loaders unpickle files, which runs code embedded in them.',
  group: 'python',
  defaultSeverity: 'error',
  fixable: 'always',
  catalog: ['PY117'],
  references: [
    { title: 'LangChain FAISS.load_local', url: 'https://python.langchain.com/api_reference/community/vectorstores/langchain_community.vectorstores.faiss.FAISS.html' },
    { title: 'CVE-2024-5998', url: 'https://nvd.nist.gov/vuln/detail/CVE-2024-5998' },
  ],
};

export const langchainDangerousDeserialization = defineRule({
  meta,
  triggers: ['allow_dangerous_deserialization'],
  check: {
    python(facts) {
      const out: Finding[] = [];
      for (const call of facts.calls) {
        // `dict(allow_dangerous_deserialization=True)` only builds keyword arguments: the call they are spread into reports them.
        if (call.qname === 'dict' || !mayPassKeyword(call, ['allow_dangerous_deserialization'])) continue;
        const arg = call.keywords.get('allow_dangerous_deserialization');
        // LangChain tests `if not allow_dangerous_deserialization`: any truthy value (even the string "false") allows it.
        if (!arg || !isTruthy(arg.value)) continue;
        out.push(finding(meta, arg.itemRange, CATALOG_SEVERITY.high,
          `\`${call.calleeText}\` with allow_dangerous_deserialization=${arg.value.kind === 'string' ? `${JSON.stringify(arg.value.value)} (a non-empty string counts as True)` : 'True'}${describeOrigin(arg.value)} unpickles the stored file and runs any code in it; load only indexes you built yourself, or rebuild the index from source documents.`,
          arg.fromSplat ? [] : [{ title: 'Remove allow_dangerous_deserialization=True (loading will then refuse pickle files)', edits: [facts.removeArgumentEdit(call, arg)], safe: false, preferred: true }]));
      }
      return out;
    },
  },
});
