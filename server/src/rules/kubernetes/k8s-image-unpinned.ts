import { defineRule, type RuleMeta } from '../../engine/rule';
import type { Finding } from '../../engine/types';
import { hasDigest, parseImageRef } from '../../invocations/images';
import type { KubernetesFacts } from '../../languages/yaml/types';
import { finding } from '../python/call-matching';
import { CATALOG_SEVERITY } from '../severity';

const meta: RuleMeta = {
  id: 'k8s-image-unpinned',
  title: 'Container image not pinned by digest',
  summary: 'A Kubernetes container or compose service image has no @sha256 digest: `:latest` or no tag (Medium), or a tag that can be re-pushed (Low).',
  group: 'kubernetes',
  defaultSeverity: 'info',
  fixable: 'always',
  catalog: ['K8505'],
  references: [
    { title: 'Kubernetes: container images (image names, digests)', url: 'https://kubernetes.io/docs/concepts/containers/images/#image-names' },
    { title: 'Checkov CKV_K8S_43 (image uses a digest)', url: 'https://www.checkov.io/5.Policy%20Index/kubernetes.html' },
    { title: 'Trivy KSV-0013 (image tag latest)', url: 'https://avd.aquasec.com/misconfig/kubernetes/general/avd-ksv-0013/' },
  ],
};

export const k8sImageUnpinned = defineRule({
  meta,
  check: {
    kubernetes(facts: KubernetesFacts) {
      const out: Finding[] = [];
      for (const c of facts.containers) {
        const image = c.image;
        // Unresolved compose interpolation (`${IMAGE}`) is decided elsewhere.
        if (!image || !image.value || /\$\{?[A-Za-z_]/.test(image.value)) continue;
        const ref = parseImageRef(image.value);
        if (hasDigest(ref)) continue;
        const latest = !ref.tag || ref.tag === 'latest';
        const what = c.flavor === 'compose' ? `compose service \`${c.name}\`` : `${c.init ? 'init container' : 'container'} \`${c.name}\``;
        out.push(finding(meta, image.range, latest ? CATALOG_SEVERITY.medium : CATALOG_SEVERITY.low,
          latest
            ? `The image of ${what} is \`${image.value}\`: ${ref.tag ? 'the moving `latest` tag' : 'no tag, which means `latest`'}, so every pull may run different code. Pin it by digest (\`@sha256:…\`).`
            : `The image of ${what} is pinned by tag only (\`${ref.tag}\`); a tag can be re-pushed with other content. Pin it by digest (\`${image.value}@sha256:…\`).`,
          [{ title: 'Pin the image by digest (fill in the digest)', edits: [{ range: { start: image.range.end, end: image.range.end }, newText: '@sha256:${1:<64-hex digest>}' }], safe: false, preferred: true, snippet: true }]));
      }
      return out;
    },
  },
});
