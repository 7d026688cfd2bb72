import { isMap, isScalar, isSeq, type Document, type YAMLMap } from 'yaml';
import type { SourceArg } from '../../invocations/build';
import type { EnvVar } from '../../invocations/types';
import { MappedTextBuilder, type MappedText } from '../text-map';
import { asMap, bool, deref, get, getMap, keyNode, mappingEdit, nodeRange, num, scalarArg, str, type YamlDocuments, type YNode } from './nodes';
import type { ComposePortFact, ContainerFact, KubernetesFacts, VolumeMountFact } from './types';

/**
 * docker-compose / compose-spec files: each service becomes a container — `image`, `entrypoint`
 * (the command) and `command` (the arguments) as lists or strings (split the way compose splits
 * them, without a shell), `environment` as a map or a `KEY=value` list, `ports` (short and long
 * syntax), `volumes` (short `src:dst[:ro]` and long syntax), `user`.
 *
 * Compose interpolates `${VAR}`, `${VAR:-default}` and `$VAR` from the shell or `.env` before
 * anything runs (`$$` is a literal `$`): a default stands for the value, anything else is
 * unresolved.
 */
export function readCompose(yd: YamlDocuments): KubernetesFacts {
  const facts: KubernetesFacts = { flavor: 'compose', workloads: [], containers: [], services: [], ingresses: [], configMaps: [] };
  for (const document of yd.documents) {
    const root = asMap(document.contents as YNode);
    const services = getMap(root, 'services');
    if (!services) continue;
    for (const item of services.items) {
      const name = isScalar(item.key) ? String(item.key.value) : undefined;
      const svc = asMap(deref(item.value as YNode, document));
      if (!name || !svc) continue;
      const c = readService(name, svc, document, yd);
      if (isScalar(item.key)) c.nameRange = nodeRange(item.key, yd);
      facts.containers.push(c);
    }
  }
  return facts;
}

function readService(name: string, svc: YAMLMap, document: Document, yd: YamlDocuments): ContainerFact {
  const c: ContainerFact = {
    flavor: 'compose',
    name,
    range: nodeRange(svc, yd),
    mapping: mappingEdit(svc, yd),
    init: false,
    workload: 'compose',
    env: readEnvironment(get(svc, 'environment'), document, yd),
    ports: [],
    volumeMounts: [],
    effective: {},
  };
  const imageNode = get(svc, 'image');
  const imageArg = scalarArg(imageNode, yd);
  if (imageArg) {
    const img = interpolate(imageArg);
    // `${IMAGE:-repo:tag}`: the range is the default, where a digest would be added.
    const range = img.mapped && img.value !== imageArg.value && img.value.length > 0 ? img.mapped.range(0, img.value.length) : imageArg.range;
    c.image = { value: img.value, range, ...(keyNode(svc, 'image') ? { keyRange: nodeRange(keyNode(svc, 'image'), yd) } : {}) };
  }
  const entrypoint = readCommand(get(svc, 'entrypoint'), document, yd);
  const command = readCommand(get(svc, 'command'), document, yd);
  if (entrypoint) c.command = entrypoint;
  if (command) c.args = command;
  const roNode = get(svc, 'read_only');
  const ro = bool(roNode);
  const roArg = scalarArg(roNode, yd);
  if (ro !== undefined && roArg) c.readOnlyRootFilesystem = { value: ro, range: roArg.range };
  const userNode = get(svc, 'user');
  const user = scalarArg(userNode, yd);
  if (user) c.user = { value: user.value, range: user.range };
  c.composePorts = readPorts(get(svc, 'ports'), document, yd);
  c.volumeMounts = readVolumes(get(svc, 'volumes'), document, yd);
  return c;
}

function readEnvironment(node: YNode, document: Document, yd: YamlDocuments): EnvVar[] {
  const n = deref(node, document);
  const out: EnvVar[] = [];
  if (n && isMap(n)) {
    for (const pair of n.items) {
      const keyArg = scalarArg(pair.key as YNode, yd);
      if (!keyArg) continue;
      const e: EnvVar = { name: keyArg.value, range: nodeRange(pair.key as YNode, yd), nameRange: keyArg.range, origin: 'compose-environment' };
      const v = pair.value as YNode;
      const arg = v && isScalar(v) && v.value !== null ? scalarArg(v, yd) : undefined;
      if (arg) {
        e.range = { start: e.range.start, end: nodeRange(v, yd).end };
        e.valueRange = arg.range;
        const i = interpolate(arg);
        if (refersToVariable(arg.value)) e.reference = true;
        if (i.resolved) e.value = i.value;
      } else {
        // `KEY:` with no value: taken from the shell running compose.
        e.reference = true;
      }
      out.push(e);
    }
  } else if (n && isSeq(n)) {
    for (const item of n.items) {
      const arg = scalarArg(deref(item as YNode, document), yd);
      if (!arg) continue;
      const eq = arg.value.indexOf('=');
      const name = eq >= 0 ? arg.value.slice(0, eq) : arg.value;
      const e: EnvVar = { name, range: arg.range, nameRange: sub(arg, 0, name.length), origin: 'compose-environment' };
      if (eq >= 0) {
        const valueArg: SourceArg = { value: arg.value.slice(eq + 1), range: sub(arg, eq + 1, arg.value.length), resolved: true, ...(arg.mapped ? { mapped: arg.mapped.sub(eq + 1, arg.value.length) } : {}) };
        e.valueRange = valueArg.range;
        const i = interpolate(valueArg);
        if (refersToVariable(valueArg.value)) e.reference = true;
        if (i.resolved) e.value = i.value;
      } else {
        e.reference = true;
      }
      out.push(e);
    }
  }
  return out;
}

/** A value that interpolates a variable (`$$` is a literal dollar). */
function refersToVariable(value: string): boolean {
  return /\$\{?[A-Za-z_]/.test(value.replace(/\$\$/g, ''));
}

function sub(arg: SourceArg, start: number, end: number) {
  return arg.mapped ? arg.mapped.range(start, end) : arg.range;
}

/** Compose variable interpolation; the mapped text follows the substitutions. */
export function interpolate(arg: SourceArg): SourceArg {
  const text = arg.value;
  if (!text.includes('$')) return arg;
  const re = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;
  let resolved = arg.resolved;
  const b = arg.mapped ? new MappedTextBuilder(arg.mapped.doc) : undefined;
  let value = '';
  let last = 0;
  const keep = (s: number, e: number) => {
    value += text.slice(s, e);
    b?.addMapped(arg.mapped!, s, e);
  };
  const put = (v: string, at: number) => {
    value += v;
    b?.addAt(v, arg.mapped!.docOffset(at));
  };
  for (let m = re.exec(text); m; m = re.exec(text)) {
    keep(last, m.index);
    last = m.index + m[0].length;
    if (m[0] === '$$') {
      put('$', m.index);
      continue;
    }
    const op = m[2];
    if (op === ':-' || op === '-') {
      // The default stands for the value; the real one may come from .env or the shell.
      const start = m.index + m[0].indexOf(op) + op.length;
      if (b) {
        value += m[3];
        b.addMapped(arg.mapped!, start, start + m[3].length);
      } else value += m[3];
      continue;
    }
    resolved = false;
    keep(m.index, last);
  }
  keep(last, text.length);
  const out: SourceArg = { value, range: arg.range, resolved };
  if (arg.rawRange) out.rawRange = arg.rawRange;
  if (b) out.mapped = b.build();
  return out;
}

/** A compose command: a list of strings, or one string split like a shell would split words (no expansion). */
function readCommand(node: YNode, document: Document, yd: YamlDocuments): SourceArg[] | undefined {
  const n = deref(node, document);
  if (!n) return undefined;
  if (isSeq(n)) {
    const out: SourceArg[] = [];
    for (const item of n.items) {
      const arg = scalarArg(deref(item as YNode, document), yd);
      if (arg) out.push(interpolate(arg));
    }
    return out;
  }
  const arg = scalarArg(n, yd);
  if (!arg) return undefined;
  const i = interpolate(arg);
  return i.mapped ? splitWords(i.mapped, i.resolved) : i.value.split(/\s+/).filter(Boolean).map((value) => ({ value, range: arg.range, resolved: i.resolved }));
}

/** Split a command string into words: quotes group, backslash escapes, no variable expansion. */
export function splitWords(text: MappedText, resolved = true): SourceArg[] {
  const out: SourceArg[] = [];
  const t = text.text;
  let i = 0;
  while (i < t.length) {
    while (i < t.length && /\s/.test(t[i])) i++;
    if (i >= t.length) break;
    const b = new MappedTextBuilder(text.doc);
    const start = i;
    let quoted = false;
    while (i < t.length && !/\s/.test(t[i])) {
      const c = t[i];
      if (c === '"' || c === "'") {
        quoted = true;
        const close = t.indexOf(c, i + 1);
        const end = close < 0 ? t.length : close;
        for (let j = i + 1; j < end; j++) {
          if (c === '"' && t[j] === '\\' && j + 1 < end && /["\\$`]/.test(t[j + 1])) j++;
          b.addMapped(text, j, j + 1);
        }
        i = end + 1;
      } else if (c === '\\' && i + 1 < t.length) {
        b.addMapped(text, i + 1, i + 2);
        i += 2;
      } else {
        b.addMapped(text, i, i + 1);
        i++;
      }
    }
    const end = Math.min(i, t.length);
    const mapped = b.build();
    // Range without surrounding quotes when the whole word is one quoted string.
    const whole = quoted && (t[start] === '"' || t[start] === "'") && t[end - 1] === t[start] && end - start >= 2;
    const range = whole ? text.range(start + 1, end - 1) : text.range(start, end);
    const verbatim = mapped.text === t.slice(start, end) && text.contiguous(start, end);
    out.push({ value: mapped.text, range, rawRange: text.range(start, end), resolved, mapped, ...(verbatim ? { verbatim: true } : {}) });
  }
  return out;
}

function readPorts(node: YNode, document: Document, yd: YamlDocuments): ComposePortFact[] {
  const n = deref(node, document);
  const out: ComposePortFact[] = [];
  if (!n || !isSeq(n)) return out;
  for (const item of n.items) {
    const it = deref(item as YNode, document);
    if (it && isMap(it)) {
      const target = num(get(it, 'target'));
      if (target === undefined) continue;
      const p: ComposePortFact = { port: target, range: nodeRange(it, yd) };
      const published = num(get(it, 'published')) ?? (Number.parseInt(str(get(it, 'published'), yd) ?? '', 10) || undefined);
      const hostIp = str(get(it, 'host_ip'), yd);
      if (published !== undefined) p.hostPort = published;
      if (hostIp) p.hostIp = hostIp;
      out.push(p);
      continue;
    }
    const arg = scalarArg(it, yd);
    if (!arg) continue;
    const value = interpolate(arg).value.replace(/\/(tcp|udp|sctp)$/i, '');
    // [HOST_IP:][HOST_PORT[-RANGE]:]CONTAINER_PORT[-RANGE]; an IPv6 host is in brackets.
    const m = /^(?:(\[[^\]]+\]|[^:]+):)?(?:(\d*(?:-\d+)?):)?(\d+)(?:-\d+)?$/.exec(value);
    if (!m) continue;
    let hostIp: string | undefined = m[1];
    let hostPort: string | undefined = m[2];
    if (hostIp !== undefined && hostPort === undefined && /^\d+(-\d+)?$/.test(hostIp)) {
      hostPort = hostIp;
      hostIp = undefined;
    }
    const p: ComposePortFact = { port: Number(m[3]), range: arg.range };
    if (hostPort) p.hostPort = Number.parseInt(hostPort, 10);
    if (hostIp) p.hostIp = hostIp.replace(/^\[|\]$/g, '');
    out.push(p);
  }
  return out;
}

function readVolumes(node: YNode, document: Document, yd: YamlDocuments): VolumeMountFact[] {
  const n = deref(node, document);
  const out: VolumeMountFact[] = [];
  if (!n || !isSeq(n)) return out;
  for (const item of n.items) {
    const it = deref(item as YNode, document);
    if (it && isMap(it)) {
      const target = str(get(it, 'target'), yd);
      if (!target) continue;
      const type = str(get(it, 'type'), yd) ?? 'volume';
      const source = str(get(it, 'source'), yd) ?? '';
      const roNode = get(it, 'read_only');
      const ro = bool(roNode);
      const targetNode = get(it, 'target');
      const mountPathRange = scalarArg(targetNode, yd)?.range ?? nodeRange(targetNode, yd);
      const m: VolumeMountFact = { mountPath: target, mountPathRange, readOnly: ro === true, source, volumeType: type, range: nodeRange(it, yd), mapping: mappingEdit(it, yd) };
      if (type === 'bind') m.hostPath = source;
      if (ro !== undefined && roNode) m.readOnlyValue = { value: ro, range: scalarArg(roNode, yd)?.range ?? nodeRange(roNode, yd) };
      out.push(m);
      continue;
    }
    const arg = scalarArg(it, yd);
    if (!arg) continue;
    const value = interpolate(arg).value;
    // SOURCE:TARGET[:MODE] (a Windows drive letter `C:\…` is part of the source); TARGET alone is an anonymous volume.
    const parts = value.match(/^((?:[A-Za-z]:)?[^:]*)(?::([^:]+))?(?::([^:]+))?$/);
    if (!parts) continue;
    const [, first, second, mode] = parts;
    const target = second ?? first;
    const source = second !== undefined ? first : '';
    const modes = (mode ?? '').split(',');
    const bind = /^(\.{0,2}\/|~|[A-Za-z]:|\$)/.test(source);
    const targetStart = second !== undefined ? first.length + 1 : 0;
    const m: VolumeMountFact = {
      mountPath: target,
      mountPathRange: arg.mapped && arg.mapped.text === value ? arg.mapped.range(targetStart, targetStart + target.length) : arg.range,
      readOnly: modes.includes('ro') || modes.includes('readonly'),
      source,
      volumeType: source === '' ? 'volume' : bind ? 'bind' : 'volume',
      range: arg.range,
      short: { arg, ...(mode !== undefined ? { mode } : {}) },
    };
    if (bind) m.hostPath = source;
    out.push(m);
  }
  return out;
}
