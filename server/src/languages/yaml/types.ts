import type { Range } from '../../engine/types';
import type { SourceArg } from '../../invocations/build';
import type { EmbeddedText, EnvVar, MountFact } from '../../invocations/types';
import type { MappingEdit } from './nodes';

/**
 * The `kubernetes` fact kind: workloads, their containers (security context merged pod +
 * container), volumes and mounts, images, Services, Ingresses and ConfigMaps of a Kubernetes
 * manifest, or the services of a compose file in the same shape.
 */
export interface KubernetesFacts {
  flavor: 'kubernetes' | 'compose';
  /** Set when the file was not read: a Helm template (not YAML until rendered). */
  skipped?: string;
  workloads: Workload[];
  /** Every container of every workload (init containers included), and every compose service. */
  containers: ContainerFact[];
  services: ServiceFact[];
  ingresses: IngressFact[];
  configMaps: ConfigMapFact[];
}

export interface ScalarFact<T> {
  value: T;
  /** Range of the value (inside quotes). */
  range: Range;
  /** Range of the key. */
  keyRange?: Range;
}

export interface Workload {
  /** `Deployment`, `StatefulSet`, `Pod`, `InferenceService`, `ServingRuntime`, … or `compose`. */
  kind: string;
  name?: string;
  namespace?: string;
  /** Range of the `kind:` value. */
  kindRange: Range;
  /** Labels of the pods it creates (template labels; a Pod's own labels). */
  podLabels: Record<string, string>;
  pod: PodFact;
}

export interface SecurityContextFact {
  runAsNonRoot?: ScalarFact<boolean>;
  runAsUser?: ScalarFact<number>;
  /** The `securityContext:` mapping itself, for inserting fields. */
  mapping?: MappingEdit;
  keyRange?: Range;
}

export interface PodFact {
  securityContext: SecurityContextFact;
  volumes: Map<string, VolumeFact>;
  containers: ContainerFact[];
  hostNetwork?: boolean;
  hostIPC?: boolean;
  /** The pod spec mapping (where `securityContext:` would be added). */
  mapping?: MappingEdit;
}

export interface VolumeFact {
  name: string;
  /** `persistentVolumeClaim`, `hostPath`, `emptyDir`, `configMap`, `secret`, `nfs`, `image`, … */
  type?: string;
  hostPath?: string;
  readOnly?: boolean;
  range: Range;
}

export interface VolumeMountFact extends MountFact {
  /** Range of the container path (the `mountPath:` / `target:` value, the target part of `src:dst`). */
  mountPathRange: Range;
  /** The mount item mapping (to add `readOnly: true`). */
  mapping?: MappingEdit;
  /** `readOnly: false` written explicitly (to replace). */
  readOnlyValue?: ScalarFact<boolean>;
  /** Compose short syntax `host:container[:mode]`: the scalar, its mode part, for `:ro` edits. */
  short?: { arg: SourceArg; mode?: string };
}

export interface ContainerPortFact {
  containerPort: number;
  name?: string;
  hostPort?: number;
  hostIP?: string;
  range: Range;
}

export interface ContainerFact {
  flavor: 'kubernetes' | 'compose';
  name: string;
  nameRange?: Range;
  /** The container mapping (k8s list item, compose service). */
  range: Range;
  mapping?: MappingEdit;
  init: boolean;
  /** `Deployment/triton`, `compose`. */
  workload: string;
  workloadRef?: Workload;
  image?: ScalarFact<string>;
  /** k8s `command` (compose `entrypoint`) and `args` (compose `command`), as arguments with ranges. */
  command?: SourceArg[];
  args?: SourceArg[];
  env: EnvVar[];
  ports: ContainerPortFact[];
  volumeMounts: VolumeMountFact[];
  /** The container's own security context. */
  securityContext?: SecurityContextFact;
  /** Pod-level and container-level fields merged (container wins), with where each value comes from. */
  effective: {
    runAsNonRoot?: ScalarFact<boolean> & { level: 'pod' | 'container' };
    runAsUser?: ScalarFact<number> & { level: 'pod' | 'container' };
  };
  /** The root filesystem is read-only: k8s `securityContext.readOnlyRootFilesystem` (container), compose `read_only`. */
  readOnlyRootFilesystem?: ScalarFact<boolean>;
  /** Compose only: `user:`, published `ports:`. */
  user?: ScalarFact<string>;
  composePorts?: ComposePortFact[];
}

export interface ComposePortFact {
  /** Container port. */
  port: number;
  hostPort?: number;
  hostIp?: string;
  range: Range;
}

export interface ServicePortFact {
  port?: number;
  /** A number, or the name of a container port. */
  targetPort?: number | string;
  nodePort?: number;
  name?: string;
  range: Range;
}

export interface ServiceFact {
  name?: string;
  namespace?: string;
  /** `ClusterIP` when not given. */
  type: string;
  selector: Record<string, string>;
  ports: ServicePortFact[];
  range: Range;
  uri?: string;
}

export interface IngressFact {
  name?: string;
  namespace?: string;
  /** Names of the Services it routes to. */
  services: string[];
  range: Range;
}

export interface ConfigMapFact {
  name?: string;
  namespace?: string;
  /** `data:` entries whose text is another format ModelLint reads (`config.properties`, `config.pbtxt`). */
  files: EmbeddedText[];
  range: Range;
}
