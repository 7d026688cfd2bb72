import { defineRule, type RuleContext, type RuleMeta } from '../../engine/rule';
import type { Finding, Fix, TextEdit } from '../../engine/types';
import { insertKeyText } from '../../languages/yaml/nodes';
import { invocationsOfContainer } from '../../languages/yaml/facts';
import type { ContainerFact, KubernetesFacts, VolumeMountFact } from '../../languages/yaml/types';
import { finding } from '../python/call-matching';
import { CATALOG_SEVERITY } from '../severity';
import { modelPathsOf, within, type ModelPath } from './model-paths';

const meta: RuleMeta = {
  id: 'k8s-model-volume-writable',
  title: 'Model repository mounted writable',
  summary: 'The volume holding a model server\'s model repository (or backends, or model cache) is mounted without readOnly / :ro, so anything that can write to the volume changes what the server loads; worse when the server loads models at run time.',
  group: 'kubernetes',
  defaultSeverity: 'warning',
  fixable: 'always',
  catalog: ['K8501', 'SV741'],
  references: [
    { title: 'Triton deploy guide: model repository and dynamic loading', url: 'https://github.com/triton-inference-server/server/blob/main/docs/customization_guide/deploy.md' },
    { title: 'Kubernetes: volumeMounts readOnly', url: 'https://kubernetes.io/docs/concepts/storage/volumes/#using-subpath' },
    { title: 'Compose: volumes short syntax (:ro)', url: 'https://docs.docker.com/reference/compose-file/services/#short-syntax-5' },
    { title: 'OpenVINO Model Server: online configuration changes', url: 'https://docs.openvino.ai/2025/model-server/ovms_docs_online_config_changes.html' },
  ],
};

/** Volumes whose content the pod cannot change anyway. */
const IMMUTABLE = new Set(['configMap', 'secret', 'downwardAPI', 'projected', 'image']);

function readOnlyFix(m: VolumeMountFact, flavor: ContainerFact['flavor']): Fix | undefined {
  let edit: TextEdit | undefined;
  if (m.readOnlyValue && m.readOnlyValue.value === false) {
    edit = { range: m.readOnlyValue.range, newText: 'true' };
  } else if (m.short) {
    const arg = m.short.arg;
    if (!arg.mapped || arg.mapped.text !== arg.value) return undefined;
    if (m.short.mode !== undefined) {
      const modes = m.short.mode.split(',');
      const start = arg.value.length - m.short.mode.length;
      const rw = modes.indexOf('rw');
      const text = rw >= 0 ? modes.map((x) => (x === 'rw' ? 'ro' : x)).join(',') : [...modes, 'ro'].join(',');
      edit = { range: arg.mapped.range(start, arg.value.length), newText: text };
    } else {
      const end = arg.mapped.range(arg.value.length - 1, arg.value.length).end;
      edit = { range: { start: end, end }, newText: ':ro' };
    }
  } else if (m.mapping) {
    edit = { range: { start: m.mapping.insertAt, end: m.mapping.insertAt }, newText: insertKeyText(m.mapping, flavor === 'compose' ? 'read_only' : 'readOnly', 'true') };
  }
  if (!edit) return undefined;
  return { title: flavor === 'compose' ? 'Mount it read-only' : 'Mount it readOnly: true', edits: [edit], safe: false, preferred: true };
}

function describeMount(m: VolumeMountFact, flavor: ContainerFact['flavor']): string {
  if (flavor === 'compose') return m.volumeType === 'bind' ? `bind mount \`${m.source}\`` : `volume \`${m.source || '(anonymous)'}\``;
  return `volume \`${m.source}\`${m.volumeType ? ` (${m.volumeType})` : ''}`;
}

export const k8sModelVolumeWritable = defineRule({
  meta,
  check: {
    kubernetes(facts: KubernetesFacts, _ctx: RuleContext) {
      const out: Finding[] = [];
      for (const c of facts.containers) {
        if (c.init) continue;
        const paths = modelPathsOf(invocationsOfContainer(c), c.image?.value);
        if (paths.length === 0) continue;
        for (const m of c.volumeMounts) {
          if (m.readOnly || (m.volumeType && IMMUTABLE.has(m.volumeType)) || m.volumeType === 'tmpfs') continue;
          // The mount holds a model path, or sits inside one.
          const hits = paths.filter((p) => within(p.path, m.mountPath) || within(m.mountPath, p.path));
          if (hits.length === 0) continue;
          const repo = hits.find((h) => h.kind === 'repository');
          const hit: ModelPath = repo ?? hits[0];
          const dynamic = hits.some((h) => h.dynamic);
          // Another (non-init) container of the pod mounting the same volume writable can change the models under the server.
          const otherWriter = c.flavor === 'kubernetes' && c.workloadRef?.pod.containers.some((o) => o !== c && !o.init && o.volumeMounts.some((om) => om.source === m.source && !om.readOnly));
          const severity = !repo ? CATALOG_SEVERITY.low : dynamic || otherWriter ? CATALOG_SEVERITY.high : CATALOG_SEVERITY.medium;
          const who = hit.program ? `\`${hit.program}\` in ${c.flavor === 'compose' ? 'service' : 'container'} \`${c.name}\`` : `${c.flavor === 'compose' ? 'service' : 'container'} \`${c.name}\``;
          const why = !repo
            ? 'it is a download cache, so the server may need to write it; prefer pre-downloading into a read-only volume, or keep this cache out of reach of other writers'
            : dynamic
              ? 'the server loads models while it runs, so whoever can write to the volume gets code loaded into it (Triton/OVMS model code and backends run unsandboxed)'
              : otherWriter
                ? 'another container of the pod mounts the same volume writable and can replace the models under the server'
                : 'the server only needs to read it; a writable mount lets a compromised server or sidecar replace models and backends for the next start';
          const fix = readOnlyFix(m, c.flavor);
          out.push(finding(meta, m.mountPathRange, severity,
            `${hit.kind === 'cache' ? 'The model cache' : 'The model repository'} \`${hit.path}\` (${hit.source}) of ${who} is mounted writable from ${describeMount(m, c.flavor)}: ${why}. Mount it ${c.flavor === 'compose' ? 'with `:ro`' : '`readOnly: true`'}.`,
            fix ? [fix] : []));
        }
      }
      return out;
    },
  },
});
