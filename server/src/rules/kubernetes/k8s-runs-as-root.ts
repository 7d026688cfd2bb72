import { defineRule, type RuleMeta } from '../../engine/rule';
import type { Finding, Fix, TextEdit } from '../../engine/types';
import { insertKeyText } from '../../languages/yaml/nodes';
import type { ContainerFact, KubernetesFacts } from '../../languages/yaml/types';
import { finding } from '../python/call-matching';
import { CATALOG_SEVERITY } from '../severity';

const meta: RuleMeta = {
  id: 'k8s-runs-as-root',
  title: 'Container may run as root',
  summary: 'The effective securityContext of a container (pod and container merged) sets neither runAsNonRoot: true nor a runAsUser above 0, or sets runAsUser: 0 (compose: user root), so the model server can run as root.',
  group: 'kubernetes',
  defaultSeverity: 'warning',
  fixable: 'always',
  catalog: ['K8502'],
  references: [
    { title: 'Kubernetes: configure a security context for a pod or container', url: 'https://kubernetes.io/docs/tasks/configure-pod-container/security-context/' },
    { title: 'Pod Security Standards (restricted: runAsNonRoot)', url: 'https://kubernetes.io/docs/concepts/security/pod-security-standards/' },
    { title: 'Checkov CKV_K8S_23', url: 'https://www.checkov.io/5.Policy%20Index/kubernetes.html' },
  ],
};

function addSecurityContext(c: ContainerFact): Fix | undefined {
  const own = c.securityContext;
  let edit: TextEdit | undefined;
  if (own?.mapping) {
    const m = own.mapping;
    const keys = [own.runAsNonRoot ? undefined : 'runAsNonRoot: true', own.runAsUser ? undefined : 'runAsUser: 1000'].filter((k): k is string => !!k);
    if (own.runAsNonRoot && own.runAsNonRoot.value === false) return { title: 'Set runAsNonRoot: true', edits: [{ range: own.runAsNonRoot.range, newText: 'true' }], safe: false, preferred: true };
    if (keys.length === 0) return undefined;
    const text = keys.map((k) => {
      const [key, value] = k.split(': ');
      return insertKeyText(m, key, value);
    });
    edit = { range: { start: m.insertAt, end: m.insertAt }, newText: m.flow && !m.empty ? text.join('') : m.flow ? text.join(', ').replace(/^, /, '') : text.join('') };
  } else if (c.mapping) {
    const m = c.mapping;
    const indent = ' '.repeat(m.keyColumn);
    edit = {
      range: { start: m.insertAt, end: m.insertAt },
      newText: m.flow
        ? `${m.empty ? '' : ', '}securityContext: {runAsNonRoot: true, runAsUser: 1000}`
        : `\n${indent}securityContext:\n${indent}  runAsNonRoot: true\n${indent}  runAsUser: 1000`,
    };
  }
  if (!edit) return undefined;
  return { title: 'Run as non-root (runAsNonRoot: true, runAsUser: 1000)', edits: [edit], safe: false, preferred: true };
}

export const k8sRunsAsRoot = defineRule({
  meta,
  check: {
    kubernetes(facts: KubernetesFacts) {
      const out: Finding[] = [];
      for (const c of facts.containers) {
        const label = `${c.init ? 'init container' : 'container'} \`${c.name}\``;
        if (c.flavor === 'compose') {
          const u = c.user;
          if (u && /^(root|0)(:.*)?$/.test(u.value.trim())) {
            out.push(finding(meta, u.range, CATALOG_SEVERITY.medium,
              `Compose service \`${c.name}\` sets \`user: ${u.value}\`, so it runs as root; use a non-root UID (e.g. \`user: "1000:1000"\`).`,
              [{ title: 'Run as 1000:1000', edits: [{ range: u.range, newText: '1000:1000' }], safe: false, preferred: true }]));
          }
          continue;
        }
        const { runAsNonRoot, runAsUser } = c.effective;
        if (runAsUser && runAsUser.value === 0) {
          out.push(finding(meta, runAsUser.range, CATALOG_SEVERITY.medium,
            `\`runAsUser: 0\` (${runAsUser.level === 'pod' ? 'pod' : 'container'} securityContext) runs ${label} as root${runAsNonRoot?.value ? ' (and contradicts runAsNonRoot: true, so the kubelet refuses to start it)' : ''}; use a UID above 0, e.g. 1000.`,
            [{ title: 'Use runAsUser: 1000', edits: [{ range: runAsUser.range, newText: '1000' }], safe: false, preferred: true }]));
          continue;
        }
        if (runAsNonRoot?.value === true || (runAsUser && runAsUser.value > 0)) continue;
        const fix = addSecurityContext(c);
        if (runAsNonRoot && runAsNonRoot.value === false) {
          out.push(finding(meta, runAsNonRoot.range, CATALOG_SEVERITY.medium,
            `\`runAsNonRoot: false\` (${runAsNonRoot.level} securityContext) and no \`runAsUser\` above 0: ${label} runs as the image's user, which is root for most serving images (Triton, vLLM, TGI). Set \`runAsNonRoot: true\` and a \`runAsUser\`.`,
            fix ? [fix] : []));
          continue;
        }
        out.push(finding(meta, c.nameRange ?? c.range, CATALOG_SEVERITY.medium,
          `Neither \`runAsNonRoot: true\` nor \`runAsUser\` above 0 is set for ${label} (pod or container securityContext): it runs as the image's user, which is root for most serving images (Triton, vLLM, TGI). Set \`securityContext.runAsNonRoot: true\` and \`runAsUser\`.`,
          fix ? [fix] : []));
      }
      return out;
    },
  },
});
