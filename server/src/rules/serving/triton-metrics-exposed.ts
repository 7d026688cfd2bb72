import { defineRule, type RuleContext, type RuleMeta } from '../../engine/rule';
import type { Finding, Fix } from '../../engine/types';
import type { ServingFacts } from '../../invocations/types';
import { CATALOG_SEVERITY } from '../severity';
import { finding } from '../triton/model-folder';
import { insertArgsEdit, replaceValueEdit } from './arg-edits';
import { boolValue, flag, flagRange, isAnyAddress, servingCommand } from './command';

const meta: RuleMeta = {
  id: 'triton-metrics-exposed',
  title: 'Triton metrics endpoint published on all interfaces',
  summary: 'Triton serves its Prometheus metrics on all interfaces (the default) and the metrics port is published, exposing model names, versions and traffic to anyone who reaches it.',
  group: 'serving',
  defaultSeverity: 'info',
  fixable: 'sometimes',
  catalog: ['SV705'],
  references: [
    { title: 'Triton metrics', url: 'https://github.com/triton-inference-server/server/blob/main/docs/user_guide/metrics.md' },
    { title: 'Triton deployment guide', url: 'https://github.com/triton-inference-server/server/blob/main/docs/customization_guide/deploy.md' },
  ],
};

export function checkMetricsExposed(facts: ServingFacts, ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (const inv of facts.invocations) {
    const cmd = servingCommand(inv);
    if (!cmd || cmd.program !== 'tritonserver') continue;
    if (boolValue(flag(cmd, 'allow-metrics')?.value) === false) continue;
    const addressFlag = flag(cmd, 'metrics-address');
    const address = addressFlag?.value ?? flag(cmd, 'http-address')?.value ?? '0.0.0.0';
    if (!isAnyAddress(address)) continue;
    const portValue = flag(cmd, 'metrics-port')?.value;
    const port = portValue && /^\d+$/.test(portValue) ? Number(portValue) : 8002;
    const published = (inv.context.publishedPorts ?? []).filter((p) => p.port === port && p.external);
    if (published.length === 0) continue;
    const fixes: Fix[] = [];
    const replace = addressFlag ? replaceValueEdit(addressFlag.valueRange, '127.0.0.1') : undefined;
    const insert = addressFlag ? undefined : insertArgsEdit(ctx.text, inv, ['--metrics-address=127.0.0.1']);
    const edit = replace ?? insert;
    if (edit) fixes.push({ title: 'Serve metrics on 127.0.0.1 only (--metrics-address=127.0.0.1)', edits: [edit], safe: false, preferred: true });
    const disable = addressFlag ? undefined : insertArgsEdit(ctx.text, inv, ['--allow-metrics=false']);
    if (disable) fixes.push({ title: 'Turn metrics off (--allow-metrics=false)', edits: [disable], safe: false });
    const p = published[0];
    out.push(finding(meta, addressFlag ? flagRange(addressFlag) : inv.program.range, CATALOG_SEVERITY.low,
      `Triton serves metrics on ${addressFlag ? address : `all interfaces (--metrics-address defaults to --http-address, ${address})`} and port ${port} is published${p.serviceName ? ` by Service ${p.serviceName}` : ''}: model names, versions, request counts and GPU data are readable without authentication. Bind metrics to 127.0.0.1 (scrape through a sidecar) or restrict the port.`,
      fixes, published.filter((x) => x.range).map((x) => ({ range: x.range!, ...(x.uri ? { uri: x.uri } : {}), message: `metrics port ${port} is published here` }))));
  }
  return out;
}

export const tritonMetricsExposed = defineRule({
  meta,
  triggers: ['tritonserver'],
  check: { serving: checkMetricsExposed },
});
