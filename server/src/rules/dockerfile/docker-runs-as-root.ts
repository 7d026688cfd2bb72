import { defineRule, type RuleMeta } from '../../engine/rule';
import type { Finding, Fix, Position } from '../../engine/types';
import { imageName, isKnownNonRootImage } from '../../invocations/images';
import type { DockerfileFacts, DockerStage, DockerUser } from '../../languages/dockerfile/facts';
import { finding } from '../python/call-matching';
import { CATALOG_SEVERITY } from '../severity';

const meta: RuleMeta = {
  id: 'docker-runs-as-root',
  title: 'Final image runs as root',
  summary: 'The final stage has no USER (and its base image is not known to switch to a non-root user), or its last USER is root, so the model server runs as root in the container.',
  group: 'dockerfile',
  defaultSeverity: 'warning',
  fixable: 'always',
  catalog: ['DK302'],
  references: [
    { title: 'Docker: USER instruction best practices', url: 'https://docs.docker.com/build/building/best-practices/#user' },
    { title: 'hadolint #328: warn when no USER is set', url: 'https://github.com/hadolint/hadolint/issues/328' },
    { title: 'Triton deploy guide: run as the triton-server user', url: 'https://github.com/triton-inference-server/server/blob/main/docs/customization_guide/deploy.md' },
    { title: 'CWE-250: Execution with Unnecessary Privileges', url: 'https://cwe.mitre.org/data/definitions/250.html' },
  ],
};

const ROOT = /^(root|0)(:.*)?$/;

/** The USER to insert: Triton images ship a `triton-server` user (UID 1000). */
function userFor(stage: DockerStage, chain: DockerStage[]): string {
  const ref = chain[0].from.ref;
  return ref && imageName(ref) === 'nvcr.io/nvidia/tritonserver' ? 'triton-server' : '1000:1000';
}

/**
 * Insert `USER <user>` before the final stage's first CMD/ENTRYPOINT that comes after `after`
 * (the last USER), else at the end of the stage.
 */
function insertUserFix(facts: DockerfileFacts, stage: DockerStage, user: string, after?: Position): Fix {
  const candidates = stage.instructions.filter((i) => (i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT') && (!after || i.range.start.line > after.line));
  const before = candidates[0];
  let at: Position;
  let newText: string;
  if (before) {
    at = { line: before.range.start.line, character: 0 };
    newText = `USER ${user}\n`;
  } else {
    const end = stage.range.end;
    const lineText = facts.doc.lineText(end.line);
    at = { line: end.line, character: lineText.length };
    newText = `\nUSER ${user}`;
  }
  return { title: `Run as a non-root user (insert USER ${user})`, edits: [{ range: { start: at, end: at }, newText }], safe: false, preferred: true };
}

export const dockerRunsAsRoot = defineRule({
  meta,
  check: {
    dockerfile(facts: DockerfileFacts) {
      const final = facts.finalStage;
      if (!final) return [];
      // USER is inherited through `FROM <earlier stage>`.
      const chain = facts.chainOf(final);
      const users: DockerUser[] = chain.flatMap((s) => s.users);
      const last = users[users.length - 1];
      const out: Finding[] = [];
      const where = final.name ? `the final stage \`${final.name}\`` : 'the final stage';
      if (last) {
        if (!last.resolved || !ROOT.test(last.value.trim())) return out;
        const owner = chain.find((s) => s.users.includes(last));
        const inherited = owner && owner !== final ? ` (inherited from ${owner.name ? `stage \`${owner.name}\`` : `stage ${owner.index}`})` : '';
        out.push(finding(meta, last.range, CATALOG_SEVERITY.medium,
          `The last USER of ${where} is \`${last.value}\`${inherited}, so the container (and the model server in it) runs as root. Switch to a non-root user after the steps that need root.`,
          [insertUserFix(facts, final, userFor(final, chain), last.instructionRange.start)]));
        return out;
      }
      const base = chain[0].from;
      if (base.ref && isKnownNonRootImage(base.ref)) return out;
      // A `scratch` image without CMD/ENTRYPOINT is an artifact export (`--output`), not something that runs.
      if (base.scratch && !chain.some((s) => s.cmd || s.entrypoint)) return out;
      if (!base.ref && !base.scratch) return out; // an ARG without a default: the base is unknown
      const image = base.scratch ? '`scratch`' : `\`${base.image}\``;
      out.push(finding(meta, final.from.instructionRange, CATALOG_SEVERITY.medium,
        `${where[0].toUpperCase()}${where.slice(1)} never sets USER, and its base image ${image} is not known to switch to a non-root user, so the container runs as root. Add a USER with a non-root UID before CMD/ENTRYPOINT.`,
        [insertUserFix(facts, final, userFor(final, chain))]));
      return out;
    },
  },
});
