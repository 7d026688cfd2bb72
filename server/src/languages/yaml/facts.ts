import { buildInvocations, type SourceArg } from '../../invocations/build';
import { knownEntrypoint, parseImageRef } from '../../invocations/images';
import type { EmbeddedText, EnvironmentScope, Invocation, InvocationContext, MountFact, ServingFacts } from '../../invocations/types';
import type { WorkspaceFacts } from '../../workspace/workspace-facts';
import { yamlKindOf } from '../detect';
import { readCompose } from './compose';
import { readKubernetes } from './kubernetes';
import { looksLikeTemplate, parseYaml } from './nodes';
import { composePublishedPorts, isRouted, k8sPublishedPorts, routedServiceNames, type ServiceSource } from './services';
import type { ContainerFact, KubernetesFacts } from './types';

export type YamlFlavor = 'kubernetes' | 'compose';

/** Kubernetes manifest or compose file, from the content (see `yamlKindOf` in languages/detect.ts). */
export function yamlFlavor(text: string): YamlFlavor | undefined {
  const kind = yamlKindOf(text);
  return kind === 'kubernetes-yaml' ? 'kubernetes' : kind === 'compose-yaml' ? 'compose' : undefined;
}

/** Byte-level prefilter: a YAML file without any of these words has nothing the YAML rules read. */
export function yamlWorthParsing(text: string): boolean {
  return text.includes('kind:') || text.includes('services:') || text.includes('image:') || text.includes('command:');
}

let last: { text: string; flavor: YamlFlavor; facts: KubernetesFacts } | undefined;

/** The `kubernetes` facts of a manifest or compose file (the parse of the last text is reused). */
export function buildKubernetesFacts(text: string, flavor: YamlFlavor = yamlFlavor(text) ?? 'kubernetes'): KubernetesFacts {
  if (last && last.text === text && last.flavor === flavor) return last.facts;
  const facts = readYaml(text, flavor);
  last = { text, flavor, facts };
  return facts;
}

function readYaml(text: string, flavor: YamlFlavor): KubernetesFacts {
  const empty: KubernetesFacts = { flavor, workloads: [], containers: [], services: [], ingresses: [], configMaps: [] };
  if (looksLikeTemplate(text)) return { ...empty, skipped: 'a template (Helm / Go template): not YAML until rendered' };
  if (!yamlWorthParsing(text)) return empty;
  const yd = parseYaml(text);
  return flavor === 'compose' ? readCompose(yd) : readKubernetes(yd);
}

/** Serving facts of a manifest or compose file: one invocation (or more, for `sh -c`) per container. */
export function buildYamlServingFacts(facts: KubernetesFacts, uri: string, workspace?: WorkspaceFacts): ServingFacts {
  const invocations: Invocation[] = [];
  const environments: EnvironmentScope[] = [];
  const configProperties: EmbeddedText[] = [];
  let sources: ServiceSource[] = [];
  if (facts.flavor === 'kubernetes' && facts.workloads.length > 0) {
    let remote: ReturnType<NonNullable<WorkspaceFacts['kubernetesNetwork']>> | undefined;
    try {
      remote = workspace?.kubernetesNetwork?.(uri);
    } catch {
      remote = undefined;
    }
    const routed = routedServiceNames(facts.ingresses);
    for (const r of remote?.routes ?? []) routed.add(r);
    sources = [
      ...facts.services.map((service) => ({ service, routed: isRouted(service, routed) })),
      ...(remote?.services ?? []).map((s) => ({ service: s, uri: s.uri, routed: s.routed || isRouted(s, routed) })),
    ];
  }
  let block = 0;
  const ids = { next: 1 };
  for (const c of facts.containers) {
    const context: InvocationContext = containerContext(c, ++block);
    const ports = c.flavor === 'compose' ? composePublishedPorts(c) : c.workloadRef ? k8sPublishedPorts(c, c.workloadRef, sources) : [];
    if (ports.length) context.publishedPorts = ports;
    environments.push({ context, env: c.env });
    invocations.push(...invocationsOfContainer(c, context, ids));
  }
  for (const cm of facts.configMaps) for (const f of cm.files) if (/\.properties$/.test(f.name)) configProperties.push(f);
  const out: ServingFacts = { fileKind: facts.flavor, invocations, environments };
  if (configProperties.length) out.configProperties = configProperties;
  return out;
}

/** The invocation context of a container (without published ports, which need the workspace). */
export function containerContext(c: ContainerFact, block: number): InvocationContext {
  const context: InvocationContext = {
    source: c.flavor === 'compose' ? 'compose-service' : 'k8s-container',
    owner: c.name,
    block,
    blockRange: c.range,
    workload: c.workload,
  };
  if (c.image) context.image = c.image.value;
  if (c.init) context.initContainer = true;
  const mounts: MountFact[] = c.volumeMounts.map((m) => ({
    mountPath: m.mountPath,
    readOnly: m.readOnly,
    source: m.source,
    range: m.range,
    ...(m.volumeType ? { volumeType: m.volumeType } : {}),
    ...(m.hostPath ? { hostPath: m.hostPath } : {}),
  }));
  if (mounts.length) context.mounts = mounts;
  return context;
}

/** The invocations a container starts (its command, and the commands of a `sh -c` script). */
export function invocationsOfContainer(c: ContainerFact, context: InvocationContext = containerContext(c, 1), ids: { next: number } = { next: 1 }): Invocation[] {
  const argv = argvOf(c);
  if (!argv) return [];
  return buildInvocations({ argv: argv.argv, env: c.env, context, range: c.range, ...(argv.implicit ? { implicitProgram: true } : {}) }, { ids });
}

/**
 * What a container runs: `command` + `args` (compose: `entrypoint` + `command`). With only the
 * arguments, a well-known serving image's entrypoint is the program (implicit); otherwise the
 * image's entrypoint is assumed to run its arguments as a command (Triton's `nvidia_entrypoint.sh`,
 * most wrapper scripts), so the first argument is the program.
 */
function argvOf(c: ContainerFact): { argv: SourceArg[]; implicit?: boolean } | undefined {
  if (c.command && c.command.length > 0) return { argv: [...c.command, ...(c.args ?? [])] };
  const implied = c.image ? knownEntrypoint(parseImageRef(c.image.value)) : undefined;
  if (implied && c.image) {
    const program: SourceArg[] = implied.map((value) => ({ value, range: c.image!.range, resolved: true }));
    return { argv: [...program, ...(c.args ?? [])], implicit: true };
  }
  if (c.args && c.args.length > 0) return { argv: c.args };
  return undefined;
}
