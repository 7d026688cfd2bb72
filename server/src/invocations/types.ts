import type { Range } from '../engine/types';

/**
 * One command that starts a program, wherever it is written: a Dockerfile CMD/ENTRYPOINT/RUN,
 * a shell script, a Kubernetes container's command/args, a compose command/entrypoint, or a Python
 * subprocess argument list. Every front-end turns what it reads into this one shape, so the serving
 * rules are written once and work in every file kind (architecture.md §2, "Command contexts").
 *
 * Stability: the fields below are what the serving rules read. New fields are only ever added as
 * optional ones.
 */
export interface Invocation {
  /** The program as written (`tritonserver`, `/opt/tritonserver/bin/tritonserver`, `python`, `vllm`). */
  program: ArgItem;
  /** Arguments after the program, each with its exact source range. */
  args: ArgItem[];
  /** Environment variables visible to the command (Dockerfile ENV, k8s env, compose environment, shell export). */
  env: EnvVar[];
  /** Where it comes from. */
  context: InvocationContext;
  /**
   * Set when the program is not written in the file but implied by the container image: a k8s
   * container or compose service of `vllm/vllm-openai` with only `args:` runs the image's
   * entrypoint (`python3 -m vllm.entrypoints.openai.api_server`) with those arguments. The
   * program's and the implied arguments' ranges are then the `image:` value's range.
   */
  implicitProgram?: boolean;
  /** Shell pipelines: invocations of one pipeline share `id`; `index` is the position in it (0 = first). */
  pipeline?: { id: number; index: number; length: number };
  /** Set when the command runs inside `$(…)` / backticks or `<(…)` / `>(…)`. */
  substitution?: 'command' | 'process';
  /** The range of the whole command as written (assignments and wrappers included). */
  range?: Range;
}

export interface ArgItem {
  /** The value after quote removal and variable substitution where it could be resolved. */
  value: string;
  /** The value's range in the document, without surrounding quotes. */
  range: Range;
  /** False when the value contains a variable or command substitution that could not be resolved. */
  resolved: boolean;
  /**
   * True when the value is the literal text of the document at `range` (no quotes removed inside,
   * no variable substituted): edits that replace part of the value can then compute offsets.
   */
  verbatim?: boolean;
  /**
   * Document range of the value characters [start, end) (e.g. the `value` part of `--flag=value`),
   * exact even when quotes or escapes sit in between. Not enumerable; absent when the front-end
   * cannot map characters (then use `range`).
   */
  subRange?(start: number, end: number): Range;
  /** Range of the argument as written, quotes included (for edits that insert next to it). */
  rawRange?: Range;
}

export interface EnvVar {
  name: string;
  /** The literal value; undefined when it comes from a secret / valueFrom / unresolved substitution. */
  value?: string;
  /** Range of the whole definition (`NAME=value`, the YAML `- name:` item, …). */
  range: Range;
  /** Range of the value, when written literally. */
  valueRange?: Range;
  /** True when the value is taken from a secret store (k8s secretKeyRef, Docker secret mount, env file). */
  fromSecret?: boolean;
  /** Range of the name alone (`HF_TOKEN` in `ENV HF_TOKEN=…`, the value of `name:` in k8s). */
  nameRange?: Range;
  /**
   * How the variable is defined: a Dockerfile `ENV` (run time) or `ARG` (build time only), a shell
   * `export` / plain assignment / `VAR=x cmd` prefix, a k8s `env` entry, a compose `environment`
   * entry, a Python `os.environ` assignment or a subprocess `env=`.
   */
  origin?: EnvOrigin;
  /** True when the value refers to another variable (`${TOKEN}`, `$(TOKEN)`, `$TOKEN`) instead of being literal. */
  reference?: boolean;
}

export type EnvOrigin = 'dockerfile-env' | 'dockerfile-arg' | 'shell-export' | 'shell-assignment' | 'shell-prefix' | 'k8s-env' | 'compose-environment' | 'python-environ' | 'python-subprocess-env';

export type InvocationSource = 'dockerfile-cmd' | 'dockerfile-entrypoint' | 'dockerfile-run' | 'shell' | 'k8s-container' | 'compose-service' | 'python-subprocess';

export interface InvocationContext {
  source: InvocationSource;
  /** The Dockerfile stage, k8s container name or compose service name the command belongs to. */
  owner?: string;
  /** Whether the owner is the image's final stage (Dockerfiles only). */
  finalStage?: boolean;
  /** The container image, when known (k8s/compose `image:`, Dockerfile `FROM` of the stage). */
  image?: string;
  /** Ports the owner publishes (k8s containerPort + Services selecting it, compose `ports`, Dockerfile EXPOSE). */
  publishedPorts?: PublishedPort[];
  /**
   * Groups invocations written in one unit: one Dockerfile instruction, one shell file, one k8s
   * container, one compose service, one Python call. Invocations with the same `block` number
   * come from the same unit (e.g. a download and its `sha256sum -c` in the same RUN).
   */
  block?: number;
  /** Range of that unit (the Dockerfile instruction, the k8s container item, the compose service). */
  blockRange?: Range;
  /** Volumes mounted into the owner (k8s volumeMounts, compose volumes, Dockerfile COPY targets are not mounts). */
  mounts?: MountFact[];
  /** Paths copied into the image (Dockerfile COPY/ADD of the stage and its parents): container path → build-context source. */
  copies?: CopyFact[];
  /** True for Kubernetes init containers (they run to completion before the serving container). */
  initContainer?: boolean;
  /** The k8s object (kind/name) owning the container, e.g. `Deployment/triton`. */
  workload?: string;
}

export interface PublishedPort {
  /** The container-side port (what the server listens on): a Service's resolved targetPort, a compose mapping's container port, an EXPOSEd port. */
  port: number;
  /** Host address the port is published on; undefined means all interfaces. */
  hostAddress?: string;
  /** How it is published: a Service of some type, a compose port mapping, or an EXPOSE (documentation only). */
  via: 'k8s-service' | 'k8s-hostport' | 'compose-ports' | 'dockerfile-expose';
  range?: Range;
  /** The document holding `range` when it is not the analyzed one (a Service in another file). */
  uri?: string;
  /** k8s Services: the Service type (`ClusterIP`, `NodePort`, `LoadBalancer`, …) and name. */
  serviceType?: string;
  serviceName?: string;
  /** The port as seen from outside: a Service's `port`, a compose mapping's host port. */
  exposedPort?: number;
  /**
   * Reachable from outside the cluster or host: a LoadBalancer/NodePort Service, a Service an
   * Ingress routes to, a hostPort, a compose mapping not bound to a loopback address. False for a
   * ClusterIP Service nothing routes to, a loopback-bound compose mapping and an EXPOSE.
   */
  external: boolean;
}

export interface MountFact {
  /** Path inside the container. */
  mountPath: string;
  readOnly: boolean;
  /** Volume name (k8s) or source (compose: host path or named volume). */
  source: string;
  /** What backs it: `persistentVolumeClaim`, `hostPath`, `emptyDir`, `configMap`, `secret`, … (k8s), `bind` / `volume` / `tmpfs` (compose). */
  volumeType?: string;
  /** Range of the mount entry (the volumeMounts item, the compose volumes item). */
  range: Range;
  /** Host path for hostPath volumes and compose bind mounts, as written. */
  hostPath?: string;
}

export interface CopyFact {
  /** Destination inside the image. */
  target: string;
  /** Sources in the build context (or in another stage / image when `from` is set). */
  sources: string[];
  from?: string;
  range: Range;
}

/** Every environment definition of a file once, with the context it belongs to (env-only rules read these). */
export interface EnvironmentScope {
  context: InvocationContext;
  env: EnvVar[];
}

/** Text of another format embedded in this file (a ConfigMap's `config.properties`), with a position map back into the file. */
export interface EmbeddedText {
  /** The key or file name it is stored under (`config.properties`). */
  name: string;
  text: string;
  /** Document position of the start of each line of `text` (line i of `text` starts at `lines[i]`); characters within a line map 1:1. */
  lines: { line: number; character: number }[];
  /** Range of the whole value in the document. */
  range: Range;
  /** The owning object, e.g. `ConfigMap/torchserve-config`. */
  owner?: string;
}

/** The `serving` fact kind: everything a serving rule reads, for any file that can hold commands. */
export interface ServingFacts {
  /** What kind of file the facts come from. */
  fileKind: 'dockerfile' | 'shell' | 'kubernetes' | 'compose' | 'python';
  invocations: Invocation[];
  /** Every environment definition once (an `export` visible to ten commands appears once here). */
  environments: EnvironmentScope[];
  /** `config.properties` texts held in ConfigMaps (TorchServe). */
  configProperties?: EmbeddedText[];
}
