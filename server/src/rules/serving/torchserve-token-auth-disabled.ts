import { defineRule, type RuleContext, type RuleMeta } from '../../engine/rule';
import type { Finding } from '../../engine/types';
import type { ServingFacts } from '../../invocations/types';
import type { PropertiesFacts } from '../../languages/properties/facts';
import { CATALOG_SEVERITY } from '../severity';
import { finding } from '../triton/model-folder';
import { flag, servingCommand } from './command';
import { allEnv, envRange, javaTrue, propertyValue, replaceEntryValue, sourcesOf } from './torchserve-config';

const meta: RuleMeta = {
  id: 'torchserve-token-auth-disabled',
  title: 'TorchServe token authorization switched off',
  summary: 'TorchServe runs without token authorization (--disable-token-auth, disable_token_authorization=true, or TS_DISABLE_TOKEN_AUTHORIZATION=true): anyone who reaches the inference or management API can use it.',
  group: 'serving',
  defaultSeverity: 'error',
  fixable: 'sometimes',
  catalog: ['SV710'],
  references: [
    { title: 'TorchServe token authorization API', url: 'https://github.com/pytorch/serve/blob/master/docs/token_authorization_api.md' },
    { title: 'TorchServe security', url: 'https://github.com/pytorch/serve/blob/master/docs/security.md' },
  ],
};

const WHY = 'Without tokens, anyone who reaches the management API can list, scale and (with the model API enabled) register models, and anyone who reaches the inference API can use the models. Token authorization is on by default since TorchServe 0.11.1; remove the override and hand clients the keys from key_file.json.';

function checkProperties(facts: PropertiesFacts | ServingFacts): Finding[] {
  const out: Finding[] = [];
  for (const source of sourcesOf(facts)) {
    for (const entry of source.doc.entries) {
      if (entry.key !== 'disable_token_authorization' || !javaTrue(entry.value) || propertyValue(source.doc, entry.key) !== entry) continue;
      out.push(finding(meta, entry.valueRange, CATALOG_SEVERITY.high, `disable_token_authorization=true${source.origin === 'configmap' ? ` in ${source.name}` : ''} turns TorchServe's token authorization off. ${WHY}`,
        [{ title: 'Set disable_token_authorization=false', edits: [replaceEntryValue(entry, 'false')], safe: false, preferred: true }]));
    }
  }
  return out;
}

export function checkTokenAuthServing(facts: ServingFacts, _ctx: RuleContext): Finding[] {
  const out = checkProperties(facts);
  for (const { env } of allEnv(facts)) {
    if (env.name !== 'TS_DISABLE_TOKEN_AUTHORIZATION' || !javaTrue(env.value)) continue;
    out.push(finding(meta, envRange(env), CATALOG_SEVERITY.high, `TS_DISABLE_TOKEN_AUTHORIZATION=true turns TorchServe's token authorization off (TorchServe reads TS_* variables when enable_envvars_config=true). ${WHY}`));
  }
  for (const inv of facts.invocations) {
    const cmd = servingCommand(inv);
    if (cmd?.program !== 'torchserve') continue;
    const use = flag(cmd, 'disable-token-auth');
    if (use) out.push(finding(meta, use.item.range, CATALOG_SEVERITY.high, `torchserve --disable-token-auth turns token authorization off. ${WHY}`));
  }
  return out;
}

export const torchserveTokenAuthDisabled = defineRule({
  meta,
  triggers: ['disable_token_authorization', 'DISABLE_TOKEN_AUTHORIZATION', 'disable-token-auth'],
  check: {
    properties: (facts) => checkProperties(facts),
    serving: checkTokenAuthServing,
  },
});
