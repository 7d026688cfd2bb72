import { defineRule, type RuleMeta } from '../../engine/rule';
import type { Finding, Fix, Range, RelatedInformation } from '../../engine/types';
import { hasDigest, imageName, isServingImage, parseImageRef, type ImageRef } from '../../invocations/images';
import type { DockerfileFacts, DockerStage } from '../../languages/dockerfile/facts';
import { finding } from '../python/call-matching';
import { CATALOG_SEVERITY } from '../severity';

const meta: RuleMeta = {
  id: 'docker-base-image-unpinned',
  title: 'Base image of the final image not pinned by digest',
  summary: 'The final stage (or a stage or image copied into it) starts FROM an image reference without an @sha256 digest, so a re-pushed tag changes what the image contains.',
  group: 'dockerfile',
  defaultSeverity: 'warning',
  fixable: 'sometimes',
  catalog: ['DK301'],
  references: [
    { title: 'Docker: pin base image versions (image digests)', url: 'https://docs.docker.com/build/building/best-practices/#pin-base-image-versions' },
    { title: 'hadolint #773: require digest pinning', url: 'https://github.com/hadolint/hadolint/issues/773' },
    { title: 'SLSA: build dependencies pinned by digest', url: 'https://slsa.dev/spec/v1.0/requirements' },
  ],
};

const DIGEST_SNIPPET = '@sha256:${1:<64-hex digest>}';

function severityOf(ref: ImageRef): Finding['severity'] {
  if (!ref.tag || ref.tag === 'latest') return CATALOG_SEVERITY.medium;
  return isServingImage(ref) ? CATALOG_SEVERITY.medium : CATALOG_SEVERITY.low;
}

function describe(ref: ImageRef): string {
  if (!ref.tag) return 'has no tag (it means `latest`) and no digest';
  if (ref.tag === 'latest') return 'uses the moving `latest` tag and no digest';
  return 'is pinned by tag only; a tag can be re-pushed with other content';
}

function pinFix(at: Range): Fix {
  return { title: 'Pin the image by digest (fill in the digest)', edits: [{ range: { start: at.end, end: at.end }, newText: DIGEST_SNIPPET }], safe: false, preferred: true, snippet: true };
}

function stageLabel(stage: DockerStage): string {
  return stage.name ? `stage \`${stage.name}\`` : `stage ${stage.index}`;
}

export const dockerBaseImageUnpinned = defineRule({
  meta,
  check: {
    dockerfile(facts: DockerfileFacts) {
      const out: Finding[] = [];
      const final = facts.finalStage;
      if (!final) return out;
      const inFinal = facts.stagesInFinalImage();
      const inFinalSet = new Set(inFinal.map((s) => s.index));
      for (const stage of inFinal) {
        const from = stage.from;
        // `scratch`, a stage alias (followed through its own FROM), or an ARG without a default.
        if (from.scratch || from.stage !== undefined || !from.ref) continue;
        if (hasDigest(from.ref)) continue;
        const role = stage === final
          ? `The final image (${stageLabel(stage)}) starts FROM \`${from.image}\``
          : `${stageLabel(stage)}, whose files end up in the final image, starts FROM \`${from.image}\``;
        const serving = isServingImage(from.ref) ? ` This is a model-serving image (${imageName(from.ref)}): what it runs decides what your models can do.` : '';
        const related: RelatedInformation[] = [];
        if (from.viaArg) related.push({ range: from.viaArg.valueRange, message: `the image comes from the default of ARG ${from.viaArg.name}` });
        const f = finding(meta, from.range, severityOf(from.ref),
          `${role}, which ${describe(from.ref)}.${serving} Pin it by digest (\`${from.image}@sha256:…\`) and update the digest deliberately.`,
          [pinFix(from.viaArg ? from.viaArg.valueRange : from.range)]);
        if (related.length) f.related = related;
        out.push(f);
      }
      // `COPY --from=<image>` pulls files straight from another image.
      for (const stage of facts.stages) {
        if (!inFinalSet.has(stage.index)) continue;
        for (const copy of stage.copies) {
          const from = copy.from;
          // Not an earlier stage (by name or index): an image.
          if (!from || from.stage !== undefined || /^\d+$/.test(from.value) || from.value.includes('$')) continue;
          const ref = parseImageRef(from.value);
          if (hasDigest(ref)) continue;
          out.push(finding(meta, from.range, severityOf(ref),
            `\`${copy.keyword} --from=${from.value}\` copies files from an image that ${describe(ref)}; pin it by digest (\`${from.value}@sha256:…\`).`,
            [pinFix(from.range)]));
        }
      }
      return out;
    },
  },
});
