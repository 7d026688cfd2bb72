/**
 * Container image references, and what ModelLint knows about well-known serving images: their
 * entrypoints (a container that only sets `args:` runs them) and which images already run as a
 * non-root user.
 */

export interface ImageRef {
  /** As written (after variable substitution). */
  raw: string;
  /** Registry host, when the first path component is one (`nvcr.io`, `ghcr.io`, `localhost:5000`). */
  registry?: string;
  /** Repository path without registry and tag (`nvidia/tritonserver`, `python`). */
  repository: string;
  tag?: string;
  /** `sha256:<64 hex>` (or another algorithm) after `@`. */
  digest?: string;
}

export function parseImageRef(raw: string): ImageRef {
  let rest = raw.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let registry: string | undefined;
  const first = rest.indexOf('/');
  if (first > 0) {
    const head = rest.slice(0, first);
    if (head.includes('.') || head.includes(':') || head === 'localhost') {
      registry = head;
      rest = rest.slice(first + 1);
    }
  }
  const ref: ImageRef = { raw, repository: rest.toLowerCase() };
  if (registry) ref.registry = registry.toLowerCase();
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/** A digest Docker accepts as a pin: `sha256:` and 64 lowercase hex digits (other algorithms too). */
export function hasDigest(ref: ImageRef): boolean {
  return !!ref.digest && /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-f]{32,}$/.test(ref.digest);
}

/** Registry + repository, with Docker Hub's implicit `docker.io` and `library/` left out. */
export function imageName(ref: ImageRef): string {
  const repo = ref.repository.replace(/^library\//, '');
  return ref.registry && ref.registry !== 'docker.io' && ref.registry !== 'index.docker.io' && ref.registry !== 'registry-1.docker.io' ? `${ref.registry}/${repo}` : repo;
}

/** Model-serving images (rules.md C3: their base images get a higher severity when unpinned). */
const SERVING_IMAGES = [
  'nvcr.io/nvidia/tritonserver',
  'vllm/vllm-openai',
  'ghcr.io/huggingface/text-generation-inference',
  'pytorch/torchserve',
  'openvino/model_server',
  'ghcr.io/ggml-org/llama.cpp',
  'ghcr.io/ggerganov/llama.cpp',
];

export function isServingImage(ref: ImageRef): boolean {
  const name = imageName(ref);
  return SERVING_IMAGES.some((s) => name === s || name.startsWith(`${s}-`));
}

/**
 * The ENTRYPOINT of well-known serving images, for containers that set only the arguments
 * (k8s `args:`, compose `command:`, Dockerfile `CMD` on top of the image). Images whose entrypoint
 * is a generic wrapper that runs the given command (Triton's `nvidia_entrypoint.sh`) are not here.
 */
export function knownEntrypoint(ref: ImageRef): string[] | undefined {
  const name = imageName(ref);
  if (name === 'vllm/vllm-openai' || name === 'vllm/vllm-openai-cpu' || name === 'rocm/vllm' || name === 'public.ecr.aws/q9t5s3a7/vllm-cpu-release-repo') {
    return ['python3', '-m', 'vllm.entrypoints.openai.api_server'];
  }
  if (name === 'ghcr.io/huggingface/text-generation-inference') return ['text-generation-launcher'];
  if (name === 'openvino/model_server') return ['/ovms/bin/ovms'];
  if ((name === 'ghcr.io/ggml-org/llama.cpp' || name === 'ghcr.io/ggerganov/llama.cpp') && /^server/.test(ref.tag ?? '')) return ['/app/llama-server'];
  return undefined;
}

/**
 * Images known to run as a non-root user by default (rules.md DK302 allowlist): distroless
 * `:nonroot` variants, Chainguard images (except `-dev` variants), OpenVINO Model Server (`ovms`,
 * UID 5000), TorchServe (`model-server`), Bitnami images, and nginx-unprivileged.
 */
export function isKnownNonRootImage(ref: ImageRef): boolean {
  const name = imageName(ref);
  const tag = ref.tag ?? '';
  if (/^gcr\.io\/distroless\//.test(name) || /^(gcr\.io|mcr\.microsoft\.com)\/.*distroless/.test(name)) return /(^|-)nonroot$/.test(tag);
  if (/^cgr\.dev\/chainguard\//.test(name)) return !/-dev$/.test(tag) && tag !== 'latest-dev';
  if (name === 'openvino/model_server') return true;
  if (name === 'pytorch/torchserve' || name === 'pytorch/torchserve-kfs' || name === 'pytorch/torchserve-nightly') return true;
  if (/^bitnami\//.test(name)) return true;
  if (name === 'nginxinc/nginx-unprivileged') return true;
  return false;
}
