import type { PublishedPort } from '../../invocations/types';
import type { ContainerFact, IngressFact, ServiceFact, Workload } from './types';

/**
 * Which ports of a container are published, and how: Services whose selector matches the pod's
 * labels (same namespace, or a namespace left to `kubectl -n`), resolved to the container port
 * they target (by number or by port name), Ingress/Route/HTTPRoute backends that make a ClusterIP
 * Service reachable from outside, `hostPort`s and `hostNetwork`; compose `ports:`.
 */

export interface ServiceSource {
  service: ServiceFact;
  /** Where the Service is declared, when not in the analyzed document. */
  uri?: string;
  /** An Ingress, Route or HTTPRoute routes to it. */
  routed: boolean;
}

export function serviceSelects(service: ServiceFact, workload: Workload): boolean {
  const keys = Object.keys(service.selector);
  if (keys.length === 0) return false;
  if (service.namespace !== undefined && workload.namespace !== undefined && service.namespace !== workload.namespace) return false;
  return keys.every((k) => workload.podLabels[k] === service.selector[k]);
}

export function routedServiceNames(ingresses: readonly IngressFact[]): Set<string> {
  const out = new Set<string>();
  for (const i of ingresses) for (const s of i.services) out.add(`${i.namespace ?? ''}/${s}`);
  return out;
}

export function isRouted(service: ServiceFact, routed: ReadonlySet<string>): boolean {
  if (!service.name) return false;
  return routed.has(`${service.namespace ?? ''}/${service.name}`) || (service.namespace === undefined && [...routed].some((r) => r.endsWith(`/${service.name}`)));
}

function isExternalType(type: string): boolean {
  return type === 'LoadBalancer' || type === 'NodePort';
}

export function k8sPublishedPorts(container: ContainerFact, workload: Workload, sources: readonly ServiceSource[]): PublishedPort[] {
  const out: PublishedPort[] = [];
  const siblings = workload.pod.containers.filter((c) => !c.init);
  for (const { service, uri, routed } of sources) {
    if (!serviceSelects(service, workload)) continue;
    for (const sp of service.ports) {
      let target: number | undefined;
      if (typeof sp.targetPort === 'string') {
        if (/^\d+$/.test(sp.targetPort)) target = Number(sp.targetPort);
        else target = container.ports.find((p) => p.name === sp.targetPort)?.containerPort;
        if (target === undefined) continue;
      } else {
        target = sp.targetPort ?? sp.port;
        if (target === undefined) continue;
        // Attributed to the container that declares the port; when none does, to every container.
        const declared = siblings.some((c) => c.ports.some((p) => p.containerPort === target));
        if (declared && !container.ports.some((p) => p.containerPort === target)) continue;
      }
      if (container.init) continue;
      const p: PublishedPort = {
        port: target,
        via: 'k8s-service',
        range: sp.range,
        serviceType: service.type,
        external: isExternalType(service.type) || routed,
      };
      if (service.name) p.serviceName = service.name;
      if (sp.port !== undefined) p.exposedPort = sp.port;
      if (uri) p.uri = uri;
      out.push(p);
    }
  }
  for (const cp of container.ports) {
    if (cp.hostPort !== undefined || workload.pod.hostNetwork) {
      const p: PublishedPort = { port: cp.containerPort, via: 'k8s-hostport', range: cp.range, exposedPort: cp.hostPort ?? cp.containerPort, external: !isLoopback(cp.hostIP) };
      if (cp.hostIP) p.hostAddress = cp.hostIP;
      out.push(p);
    }
  }
  return out;
}

export function composePublishedPorts(container: ContainerFact): PublishedPort[] {
  return (container.composePorts ?? []).map((cp) => {
    const p: PublishedPort = { port: cp.port, via: 'compose-ports', range: cp.range, external: !isLoopback(cp.hostIp) };
    if (cp.hostIp) p.hostAddress = cp.hostIp;
    if (cp.hostPort !== undefined) p.exposedPort = cp.hostPort;
    return p;
  });
}

export function isLoopback(address: string | undefined): boolean {
  return !!address && (/^127\./.test(address) || address === '::1' || address === 'localhost');
}
