import { isMap, isScalar, isSeq, type Document, type YAMLMap } from 'yaml';
import type { SourceArg } from '../../invocations/build';
import type { EmbeddedText, EnvVar } from '../../invocations/types';
import { MappedTextBuilder } from '../text-map';
import {
  asMap, bool, deref, get, getMap, getSeq, keyNode, mappingEdit, nodeRange, num, scalarArg, str,
  type YamlDocuments, type YNode,
} from './nodes';
import type {
  ConfigMapFact, ContainerFact, ContainerPortFact, IngressFact, KubernetesFacts, PodFact, ScalarFact,
  SecurityContextFact, ServiceFact, ServicePortFact, VolumeFact, VolumeMountFact, Workload,
} from './types';

/**
 * Kubernetes manifests: Pods and the controllers that template them (Deployment, StatefulSet,
 * DaemonSet, ReplicaSet, Job, CronJob, Argo Rollout, Knative Service), KServe InferenceService
 * (containers under `spec.predictor.*`, transformer and explainer too) and ServingRuntime /
 * ClusterServingRuntime (`spec.containers`), Services, Ingresses (and OpenShift Routes, Gateway
 * API HTTPRoutes), and ConfigMaps holding files ModelLint reads.
 */

/** Where the pod spec of each workload kind lives. */
const POD_SPEC_PATHS: Record<string, string[]> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  Rollout: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  ServingRuntime: ['spec'],
  ClusterServingRuntime: ['spec'],
};

/** KServe predictor keys that hold one container-like spec (the `kserve-container`). */
const KSERVE_MODEL_KEYS = ['model', 'triton', 'pytorch', 'tensorflow', 'sklearn', 'xgboost', 'onnx', 'huggingface', 'lightgbm', 'paddle', 'pmml', 'torchserve'];

/** ConfigMap data keys whose text other front-ends read. */
const EMBEDDED_FILES = /(^|\/)(config\.properties|[\w.-]+\.properties|config\.pbtxt|model\.json)$/;

export function readKubernetes(yd: YamlDocuments): KubernetesFacts {
  const facts: KubernetesFacts = { flavor: 'kubernetes', workloads: [], containers: [], services: [], ingresses: [], configMaps: [] };
  for (const document of yd.documents) {
    const root = asMap(document.contents as YNode);
    if (!root) continue;
    const kind = str(get(root, 'kind'), yd);
    if (kind === 'List') {
      for (const item of getSeq(root, 'items')?.items ?? []) {
        const m = asMap(deref(item as YNode, document));
        if (m) readObject(m, document, yd, facts);
      }
      continue;
    }
    readObject(root, document, yd, facts);
  }
  return facts;
}

function readObject(obj: YAMLMap, document: Document, yd: YamlDocuments, facts: KubernetesFacts): void {
  const kindNode = get(obj, 'kind');
  const kind = str(kindNode, yd);
  if (!kind) return;
  const metadata = getMap(obj, 'metadata');
  const name = str(get(metadata, 'name'), yd);
  const namespace = str(get(metadata, 'namespace'), yd);
  const kindRange = nodeRange(kindNode, yd);
  const base = { ...(name !== undefined ? { name } : {}), ...(namespace !== undefined ? { namespace } : {}) };

  if (kind === 'Service') {
    facts.services.push(readService(obj, yd, base, kindRange));
    return;
  }
  if (kind === 'Ingress' || kind === 'Route' || kind === 'HTTPRoute' || kind === 'GRPCRoute') {
    facts.ingresses.push({ ...base, services: routedServices(obj, kind, yd), range: kindRange });
    return;
  }
  if (kind === 'ConfigMap') {
    const cm = readConfigMap(obj, yd, base, kind, kindRange);
    if (cm) facts.configMaps.push(cm);
    return;
  }

  const specs: { podSpec: YAMLMap; labels: YAMLMap | undefined; extra: { map: YAMLMap; key: YNode }[]; component?: string }[] = [];
  if (kind === 'InferenceService') {
    for (const component of ['predictor', 'transformer', 'explainer']) {
      const spec = getMap(obj, 'spec', component);
      if (!spec) continue;
      const extra = KSERVE_MODEL_KEYS.map((k) => ({ map: getMap(spec, k), key: keyNode(spec, k) as YNode })).filter((e): e is { map: YAMLMap; key: YNode } => !!e.map);
      specs.push({ podSpec: spec, labels: undefined, extra, component });
    }
  } else if (kind === 'Service' || !POD_SPEC_PATHS[kind]) {
    // Knative Service is `serving.knative.dev` `Service`; a core Service was handled above.
    return;
  } else {
    const podSpec = getMap(obj, ...POD_SPEC_PATHS[kind]);
    if (!podSpec) return;
    const labelsPath = kind === 'Pod' ? ['metadata', 'labels'] : [...POD_SPEC_PATHS[kind].slice(0, -1), 'metadata', 'labels'];
    specs.push({ podSpec, labels: getMap(obj, ...labelsPath), extra: [] });
  }

  for (const { podSpec, labels, extra, component } of specs) {
    const podLabels: Record<string, string> = {};
    for (const item of labels?.items ?? []) {
      const k = isScalar(item.key) ? String(item.key.value) : undefined;
      const v = str(item.value as YNode, yd);
      if (k !== undefined && v !== undefined) podLabels[k] = v;
    }
    if (kind === 'InferenceService' && name) {
      podLabels['serving.kserve.io/inferenceservice'] = name;
      if (component) podLabels.component = component;
    }
    const pod = readPod(podSpec, document, yd);
    const workload: Workload = { kind, ...base, kindRange, podLabels, pod };
    const label = `${kind}/${name ?? '?'}${component ? `/${component}` : ''}`;
    const containers: ContainerFact[] = [];
    for (const [key, init] of [['initContainers', true], ['containers', false]] as const) {
      for (const item of getSeq(podSpec, key)?.items ?? []) {
        const m = asMap(deref(item as YNode, document));
        if (m) containers.push(readContainer(m, init, pod, label, workload, document, yd));
      }
    }
    for (const e of extra) {
      const c = readContainer(e.map, false, pod, label, workload, document, yd, 'kserve-container');
      // The spec has no name of its own: point at its key (`model:`).
      if (!c.nameRange && e.key) c.nameRange = nodeRange(e.key, yd);
      containers.push(c);
    }
    pod.containers = containers;
    facts.workloads.push(workload);
    facts.containers.push(...containers);
  }
}

function scalarFact<T>(node: YNode, value: T | undefined, yd: YamlDocuments, key?: YNode): ScalarFact<T> | undefined {
  if (value === undefined || !node) return undefined;
  const arg = scalarArg(node, yd);
  return { value, range: arg?.range ?? nodeRange(node, yd), ...(key ? { keyRange: nodeRange(key, yd) } : {}) };
}

function readSecurityContext(owner: YAMLMap, yd: YamlDocuments): SecurityContextFact {
  const sc = getMap(owner, 'securityContext');
  const out: SecurityContextFact = {};
  const key = keyNode(owner, 'securityContext');
  if (key) out.keyRange = nodeRange(key, yd);
  if (!sc) return out;
  out.mapping = mappingEdit(sc, yd);
  const nonRoot = get(sc, 'runAsNonRoot');
  const user = get(sc, 'runAsUser');
  const a = scalarFact(nonRoot, bool(nonRoot), yd, keyNode(sc, 'runAsNonRoot'));
  const b = scalarFact(user, num(user), yd, keyNode(sc, 'runAsUser'));
  if (a) out.runAsNonRoot = a;
  if (b) out.runAsUser = b;
  return out;
}

function readPod(spec: YAMLMap, document: Document, yd: YamlDocuments): PodFact {
  const volumes = new Map<string, VolumeFact>();
  for (const item of getSeq(spec, 'volumes')?.items ?? []) {
    const m = asMap(deref(item as YNode, document));
    const name = str(get(m, 'name'), yd);
    if (!m || !name) continue;
    const typeKey = m.items.map((p) => (isScalar(p.key) ? String(p.key.value) : '')).find((k) => k && k !== 'name');
    const v: VolumeFact = { name, range: nodeRange(m, yd) };
    if (typeKey) v.type = typeKey;
    const typed = typeKey ? getMap(m, typeKey) : undefined;
    const hp = str(get(typed, 'path'), yd);
    if (typeKey === 'hostPath' && hp) v.hostPath = hp;
    const ro = bool(get(typed, 'readOnly'));
    if (ro !== undefined) v.readOnly = ro;
    volumes.set(name, v);
  }
  const pod: PodFact = { securityContext: readSecurityContext(spec, yd), volumes, containers: [], mapping: mappingEdit(spec, yd) };
  const hn = bool(get(spec, 'hostNetwork'));
  const hi = bool(get(spec, 'hostIPC'));
  if (hn !== undefined) pod.hostNetwork = hn;
  if (hi !== undefined) pod.hostIPC = hi;
  return pod;
}

function readEnv(c: YAMLMap, document: Document, yd: YamlDocuments): EnvVar[] {
  const out: EnvVar[] = [];
  const known = new Map<string, string | undefined>();
  for (const item of getSeq(c, 'env')?.items ?? []) {
    const m = asMap(deref(item as YNode, document));
    const nameNode = get(m, 'name');
    const name = str(nameNode, yd);
    if (!m || !name) continue;
    const e: EnvVar = { name, range: nodeRange(m, yd), nameRange: scalarArg(nameNode, yd)?.range ?? nodeRange(nameNode, yd), origin: 'k8s-env' };
    const valueNode = get(m, 'value');
    const valueFrom = getMap(m, 'valueFrom');
    if (valueNode && isScalar(valueNode)) {
      const arg = scalarArg(valueNode, yd);
      const raw = str(valueNode, yd) ?? '';
      if (arg) e.valueRange = arg.range;
      if (/\$\(/.test(raw)) {
        e.reference = true;
        const expanded = expandRefs(raw, known);
        if (expanded.resolved) e.value = expanded.value;
      } else {
        e.value = raw;
      }
    } else if (valueFrom) {
      if (getMap(valueFrom, 'secretKeyRef')) e.fromSecret = true;
      e.reference = true;
    } else if (!valueNode || (isScalar(valueNode) && valueNode.value === null)) {
      e.value = '';
    }
    known.set(name, e.value);
    out.push(e);
  }
  return out;
}

/** Kubernetes `$(VAR)` references (in env values, command and args); `$$` is a literal `$`. */
function expandRefs(text: string, env: ReadonlyMap<string, string | undefined>): { value: string; resolved: boolean } {
  let resolved = true;
  const value = text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) => {
    if (!name) return '$';
    const v = env.get(name);
    if (v === undefined) {
      resolved = false;
      return m;
    }
    return v;
  });
  return { value, resolved };
}

/** An argument with `$(VAR)` references expanded from the container's env. */
function expandArg(arg: SourceArg, env: ReadonlyMap<string, string | undefined>): SourceArg {
  if (!arg.value.includes('$(') && !arg.value.includes('$$')) return arg;
  const { resolved } = expandRefs(arg.value, env);
  if (!arg.mapped) {
    const e = expandRefs(arg.value, env);
    return { value: e.value, range: arg.range, ...(arg.rawRange ? { rawRange: arg.rawRange } : {}), resolved: e.resolved };
  }
  const b = new MappedTextBuilder(arg.mapped.doc);
  const re = /\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g;
  let last = 0;
  for (let m = re.exec(arg.value); m; m = re.exec(arg.value)) {
    b.addMapped(arg.mapped, last, m.index);
    const v = m[1] === undefined ? '$' : env.get(m[1]);
    if (v === undefined) b.addMapped(arg.mapped, m.index, m.index + m[0].length);
    else b.addSpanning(v, arg.mapped.docOffset(m.index), arg.mapped.docOffset(m.index + m[0].length - 1) + 1);
    last = m.index + m[0].length;
  }
  b.addMapped(arg.mapped, last, arg.value.length);
  const mapped = b.build();
  return { value: mapped.text, range: arg.range, ...(arg.rawRange ? { rawRange: arg.rawRange } : {}), resolved: arg.resolved && resolved, mapped };
}

function readArgs(node: YNode, document: Document, yd: YamlDocuments, env: ReadonlyMap<string, string | undefined>): SourceArg[] | undefined {
  const n = deref(node, document);
  if (!n) return undefined;
  if (isSeq(n)) {
    const out: SourceArg[] = [];
    for (const item of n.items) {
      const arg = scalarArg(deref(item as YNode, document), yd);
      if (arg) out.push(expandArg(arg, env));
    }
    return out;
  }
  const single = scalarArg(n, yd);
  return single ? [expandArg(single, env)] : undefined;
}

function readContainer(c: YAMLMap, init: boolean, pod: PodFact, workload: string, ref: Workload, document: Document, yd: YamlDocuments, defaultName?: string): ContainerFact {
  const nameNode = get(c, 'name');
  const name = str(nameNode, yd) ?? defaultName ?? '?';
  const env = readEnv(c, document, yd);
  const envValues = new Map(env.map((e) => [e.name, e.value]));
  const container: ContainerFact = {
    flavor: 'kubernetes',
    name,
    range: nodeRange(c, yd),
    mapping: mappingEdit(c, yd),
    init,
    workload,
    workloadRef: ref,
    env,
    ports: [],
    volumeMounts: [],
    effective: {},
  };
  if (nameNode) container.nameRange = scalarArg(nameNode, yd)?.range ?? nodeRange(nameNode, yd);
  const imageNode = get(c, 'image');
  const image = scalarFact(imageNode, str(imageNode, yd), yd, keyNode(c, 'image'));
  if (image) container.image = image;
  const command = readArgs(get(c, 'command'), document, yd, envValues);
  const args = readArgs(get(c, 'args'), document, yd, envValues);
  if (command) container.command = command;
  if (args) container.args = args;
  for (const item of getSeq(c, 'ports')?.items ?? []) {
    const m = asMap(deref(item as YNode, document));
    const port = num(get(m, 'containerPort'));
    if (!m || port === undefined) continue;
    const p: ContainerPortFact = { containerPort: port, range: nodeRange(m, yd) };
    const pname = str(get(m, 'name'), yd);
    const hostPort = num(get(m, 'hostPort'));
    const hostIP = str(get(m, 'hostIP'), yd);
    if (pname) p.name = pname;
    if (hostPort !== undefined) p.hostPort = hostPort;
    if (hostIP) p.hostIP = hostIP;
    container.ports.push(p);
  }
  for (const item of getSeq(c, 'volumeMounts')?.items ?? []) {
    const m = asMap(deref(item as YNode, document));
    const mountPath = str(get(m, 'mountPath'), yd);
    const source = str(get(m, 'name'), yd);
    if (!m || !mountPath || !source) continue;
    const roNode = get(m, 'readOnly');
    const ro = bool(roNode);
    const volume = pod.volumes.get(source);
    const mpNode = get(m, 'mountPath');
    const mountPathRange = scalarArg(mpNode, yd)?.range ?? nodeRange(mpNode, yd);
    const mount: VolumeMountFact = { mountPath, mountPathRange, readOnly: ro === true || volume?.readOnly === true, source, range: nodeRange(m, yd), mapping: mappingEdit(m, yd) };
    if (volume?.type) mount.volumeType = volume.type;
    if (volume?.hostPath) mount.hostPath = volume.hostPath;
    const roFact = scalarFact(roNode, ro, yd, keyNode(m, 'readOnly'));
    if (roFact) mount.readOnlyValue = roFact;
    container.volumeMounts.push(mount);
  }
  const own = readSecurityContext(c, yd);
  container.securityContext = own;
  const roNode = get(getMap(c, 'securityContext'), 'readOnlyRootFilesystem');
  const roRoot = scalarFact(roNode, bool(roNode), yd);
  if (roRoot) container.readOnlyRootFilesystem = roRoot;
  const podSc = pod.securityContext;
  if (own.runAsNonRoot) container.effective.runAsNonRoot = { ...own.runAsNonRoot, level: 'container' };
  else if (podSc.runAsNonRoot) container.effective.runAsNonRoot = { ...podSc.runAsNonRoot, level: 'pod' };
  if (own.runAsUser) container.effective.runAsUser = { ...own.runAsUser, level: 'container' };
  else if (podSc.runAsUser) container.effective.runAsUser = { ...podSc.runAsUser, level: 'pod' };
  return container;
}

function readService(obj: YAMLMap, yd: YamlDocuments, base: { name?: string; namespace?: string }, range: ServiceFact['range']): ServiceFact {
  const spec = getMap(obj, 'spec');
  const selector: Record<string, string> = {};
  for (const item of getMap(spec, 'selector')?.items ?? []) {
    const k = isScalar(item.key) ? String(item.key.value) : undefined;
    const v = str(item.value as YNode, yd);
    if (k !== undefined && v !== undefined) selector[k] = v;
  }
  const ports: ServicePortFact[] = [];
  for (const item of getSeq(spec, 'ports')?.items ?? []) {
    const m = asMap(item as YNode);
    if (!m) continue;
    const p: ServicePortFact = { range: nodeRange(m, yd) };
    const port = num(get(m, 'port'));
    const tpNode = get(m, 'targetPort');
    const tp = num(tpNode) ?? str(tpNode, yd);
    const nodePort = num(get(m, 'nodePort'));
    const pname = str(get(m, 'name'), yd);
    if (port !== undefined) p.port = port;
    if (tp !== undefined) p.targetPort = tp;
    if (nodePort !== undefined) p.nodePort = nodePort;
    if (pname) p.name = pname;
    ports.push(p);
  }
  return { ...base, type: str(get(spec, 'type'), yd) ?? 'ClusterIP', selector, ports, range };
}

function routedServices(obj: YAMLMap, kind: string, yd: YamlDocuments): string[] {
  const out = new Set<string>();
  const spec = getMap(obj, 'spec');
  if (kind === 'Route') {
    const to = str(get(getMap(spec, 'to'), 'name'), yd);
    if (to) out.add(to);
    return [...out];
  }
  const visit = (node: YNode, depth: number): void => {
    if (!node || depth > 12) return;
    if (isMap(node)) {
      // networking.k8s.io/v1: backend.service.name; v1beta1: backend.serviceName; Gateway API: backendRefs[].name
      const svc = str(get(getMap(node, 'service'), 'name'), yd) ?? str(get(node, 'serviceName'), yd);
      if (svc) out.add(svc);
      for (const p of node.items) {
        const key = isScalar(p.key) ? String(p.key.value) : '';
        if (key === 'backendRefs') for (const r of asMapItems(p.value as YNode)) {
          const n = str(get(r, 'name'), yd);
          if (n) out.add(n);
        }
        visit(p.value as YNode, depth + 1);
      }
    } else if (isSeq(node)) {
      for (const i of node.items) visit(i as YNode, depth + 1);
    }
  };
  visit(spec, 0);
  return [...out];
}

function asMapItems(node: YNode): YAMLMap[] {
  return isSeq(node) ? node.items.map((i) => asMap(i as YNode)).filter((m): m is YAMLMap => !!m) : [];
}

function readConfigMap(obj: YAMLMap, yd: YamlDocuments, base: { name?: string; namespace?: string }, kind: string, range: ConfigMapFact['range']): ConfigMapFact | undefined {
  const data = getMap(obj, 'data');
  const files: EmbeddedText[] = [];
  for (const item of data?.items ?? []) {
    const key = isScalar(item.key) ? String(item.key.value) : undefined;
    const valueNode = item.value as YNode;
    if (!key || !EMBEDDED_FILES.test(key) || !valueNode || !isScalar(valueNode) || typeof valueNode.value !== 'string') continue;
    files.push(embeddedText(key, valueNode, yd, `${kind}/${base.name ?? '?'}`));
  }
  return files.length ? { ...base, files, range } : undefined;
}

/** A scalar's text with, for each of its lines, the document position where that line starts. */
export function embeddedText(name: string, node: YNode, yd: YamlDocuments, owner?: string): EmbeddedText {
  const arg = scalarArg(node, yd)!;
  const text = arg.value;
  const lines: EmbeddedText['lines'] = [];
  let start = 0;
  for (;;) {
    const p = arg.mapped ? arg.mapped.position(start) : { line: arg.range.start.line + lines.length, character: lines.length === 0 ? arg.range.start.character : 0 };
    lines.push(p);
    const nl = text.indexOf('\n', start);
    if (nl < 0) break;
    start = nl + 1;
  }
  return { name, text, lines, range: nodeRange(node, yd), ...(owner ? { owner } : {}) };
}
