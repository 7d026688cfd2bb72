import type { Finding, Severity } from './types';
import type { PythonFacts } from '../languages/python/facts';
import type { RequirementsFacts } from '../workspace/requirements-facts';
import type { WorkspaceFacts } from '../workspace/workspace-facts';
import type { ParsedConfig } from '../config/team-config';
import type { TritonConfigFacts } from '../languages/pbtxt/facts';
import type { PropertiesFacts } from '../languages/properties/facts';
import type { JsonFacts } from '../languages/json/facts';
import type { ServingFacts } from '../invocations/types';
import type { DockerfileFacts } from '../languages/dockerfile/facts';
import type { KubernetesFacts } from '../languages/yaml/types';

/** Groups usable in `select` / `ignore` next to single rule ids. */
export type RuleGroup = 'python' | 'dependencies' | 'dockerfile' | 'serving' | 'kubernetes' | 'triton' | 'model-file' | 'meta';

export interface RuleReference { title: string; url: string }

export interface RuleMeta {
  /** Stable kebab-case id (rules.md "Rule ids in ModelLint"). Never reused or renamed. */
  id: string;
  /** Short human title. */
  title: string;
  /** One-sentence summary, used in hovers, `modellint rules` and SARIF. */
  summary: string;
  group: RuleGroup;
  defaultSeverity: Severity;
  fixable: 'none' | 'sometimes' | 'always';
  /** Catalog cross-references in rules.md Part C (PY101, …). */
  catalog: string[];
  references: RuleReference[];
}

/** What every check receives besides its facts. */
export interface RuleContext {
  uri: string;
  text: string;
  workspace: WorkspaceFacts;
  options: RuleOptions;
}

/** Options from the team configuration that change what rules consider safe. */
export interface RuleOptions {
  /** Hugging Face repo ids or globs treated as first-party (not reported by hf-unpinned-revision). */
  trustedRepos: string[];
  /** Overrides the torch version discovered in the workspace, e.g. "2.6.0". */
  torchVersion?: string;
}

/** Facts by input kind; a rule registers a checker per kind it understands. */
export interface FactsByKind {
  python: PythonFacts;
  requirements: RequirementsFacts;
  /** A team configuration file as read (modellint.toml, .modellint.toml, pyproject.toml [tool.modellint]). */
  config: ParsedConfig;
  /** A Triton model configuration (`config.pbtxt`): text-format tree, syntax and schema problems. */
  pbtxt: TritonConfigFacts;
  /** TorchServe `config.properties` files. */
  properties: PropertiesFacts;
  /** A JSON configuration file (Triton vLLM-backend `model.json`). */
  json: JsonFacts;
  /** Commands that start programs (Dockerfile, shell, Kubernetes/compose, Python subprocess) and their environment. */
  serving: ServingFacts;
  /** A Dockerfile: build stages (names, base images with ARG defaults resolved, USER, ENV/ARG, EXPOSE, COPY/ADD, RUN/CMD/ENTRYPOINT). */
  dockerfile: DockerfileFacts;
  /** A Kubernetes manifest or a compose file: workloads, containers (security context merged), volumes and mounts, Services, ConfigMaps. */
  kubernetes: KubernetesFacts;
}
export type FactKind = keyof FactsByKind;

export type Checkers = { [K in FactKind]?: (facts: FactsByKind[K], ctx: RuleContext) => Finding[] };

export interface Rule {
  meta: RuleMeta;
  check: Checkers;
  /**
   * Byte-level prefilter: the rule can only report in a file whose text contains one of these
   * words (an inner array means all of its words). When no enabled rule's trigger occurs, the file
   * is not even parsed. Omit to always run.
   */
  triggers?: (string | string[])[];
  /**
   * Words that occur at (or in the name bound to) every call this rule examines; they locate the
   * calls in a file. Defaults to the trigger words. Narrower words keep large files fast (e.g.
   * `load` rather than `torch`, which also occurs at every `torch.nn…` call).
   */
  callWords?: string[];
}

export function defineRule(rule: Rule): Rule {
  return rule;
}
