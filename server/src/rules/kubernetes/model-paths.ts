import * as path from 'node:path';
import { imageName, parseImageRef } from '../../invocations/images';
import { parseServingCommand, type ServingCommand } from '../../invocations/programs/index';
import type { Invocation } from '../../invocations/types';

/**
 * The container paths a model server loads code or weights from (rules.md K8501): its model
 * repository / store / path flags, download and cache directories, and the backend folders of the
 * Triton image. `dynamic` marks a server that (re)loads models while it runs (Triton
 * `--model-control-mode=poll|explicit`, OVMS polling, which is on by default).
 */
export interface ModelPath {
  path: string;
  /** `repository`: models or backends that are loaded; `cache`: a download cache that must stay writable to download. */
  kind: 'repository' | 'cache';
  /** Where it comes from, for messages (`--model-repository`, `HF_HOME`). */
  source: string;
  program?: string;
  dynamic: boolean;
}

const CACHE_ENV = ['HF_HOME', 'HF_HUB_CACHE', 'HUGGINGFACE_HUB_CACHE', 'TRANSFORMERS_CACHE', 'VLLM_CACHE_ROOT'];
const TRITON_DIRS = ['/opt/tritonserver/backends', '/opt/tritonserver/repoagents', '/opt/tritonserver/caches'];

function dynamicLoading(cmd: ServingCommand): boolean {
  if (cmd.program === 'tritonserver') return /^(poll|explicit)$/i.test(cmd.value('model-control-mode') ?? '');
  if (cmd.program === 'ovms') {
    const poll = cmd.value('file_system_poll_wait_seconds');
    return poll === undefined || Number(poll) > 0;
  }
  return false;
}

function local(p: string | undefined): string | undefined {
  return p && p.startsWith('/') ? p : undefined;
}

export function modelPathsOf(invocations: readonly Invocation[], image?: string): ModelPath[] {
  const out: ModelPath[] = [];
  const add = (p: string | undefined, kind: ModelPath['kind'], source: string, cmd?: ServingCommand, dynamic = false) => {
    if (!p || !p.startsWith('/')) return;
    out.push({ path: p, kind, source, dynamic, ...(cmd ? { program: cmd.program === 'tgi' ? 'text-generation-launcher' : cmd.program } : {}) });
  };
  for (const inv of invocations) {
    const cmd = parseServingCommand(inv);
    if (!cmd || cmd.program === 'hf-download') continue;
    const dyn = dynamicLoading(cmd);
    const value = (name: string) => cmd.all(name).filter((u) => u.resolved).map((u) => u.value);
    switch (cmd.program) {
      case 'tritonserver':
        for (const v of value('model-repository')) add(v, 'repository', '--model-repository', cmd, dyn);
        for (const f of ['backend-directory', 'repoagent-directory', 'cache-directory']) for (const v of value(f)) add(v, 'repository', `--${f}`, cmd);
        break;
      case 'torchserve':
        for (const v of value('model-store')) add(v, 'repository', '--model-store', cmd);
        break;
      case 'ovms':
        for (const v of value('model_path')) add(v, 'repository', '--model_path', cmd, dyn);
        for (const v of value('model_repository_path')) add(v, 'repository', '--model_repository_path', cmd, dyn);
        for (const v of value('config_path')) add(v ? path.posix.dirname(v) : v, 'repository', '--config_path', cmd, dyn);
        break;
      case 'vllm':
        for (const v of value('download-dir')) add(v, 'cache', '--download-dir', cmd);
        add(local(cmd.value('model') ?? cmd.positionals[0]?.value), 'repository', 'the model path', cmd);
        break;
      case 'tgi':
        for (const v of value('huggingface-hub-cache')) add(v, 'cache', '--huggingface-hub-cache', cmd);
        add(local(cmd.value('model-id') ?? cmd.envValue('MODEL_ID')), 'repository', '--model-id', cmd);
        break;
      case 'llama-server':
        add(local(cmd.value('model')) ? path.posix.dirname(cmd.value('model')!) : undefined, 'repository', '--model', cmd);
        break;
    }
    for (const name of CACHE_ENV) {
      const e = cmd.env.get(name);
      if (e?.value) add(e.value, 'cache', name, cmd);
    }
  }
  const ref = image ? parseImageRef(image) : undefined;
  if (ref && imageName(ref) === 'nvcr.io/nvidia/tritonserver') for (const d of TRITON_DIRS) add(d, 'repository', 'the Triton image');
  return out;
}

/** Whether `inner` is `outer` or lies below it (container paths). */
export function within(inner: string, outer: string): boolean {
  const i = path.posix.normalize(inner).replace(/\/+$/, '') || '/';
  const o = path.posix.normalize(outer).replace(/\/+$/, '') || '/';
  return i === o || i.startsWith(o === '/' ? '/' : `${o}/`);
}
