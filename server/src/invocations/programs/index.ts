import { basename } from '../build';
import type { ArgItem, Invocation } from '../types';
import { parseArgs, type ProgramGrammar, type ServingCommand, type ServingProgram } from './argv';
import { hfDownloadGrammar } from './hf-cli';
import { llamaServerGrammar } from './llama-server';
import { ovmsGrammar } from './ovms';
import { tgiGrammar } from './tgi';
import { torchserveGrammar } from './torchserve';
import { tritonserverGrammar } from './tritonserver';
import { VLLM_SERVER_MODULES, vllmGrammar } from './vllm';

export { boolValue, lookupFlag, type FlagSpec, type FlagUse, type ProgramGrammar, type ServingCommand, type ServingProgram } from './argv';

/**
 * The query API of the serving rules: which serving program an Invocation starts, and its flags,
 * positionals and environment. Recognized shapes:
 *
 *   tritonserver, /opt/tritonserver/bin/tritonserver           (any path ending in /tritonserver)
 *   vllm serve <model>, python[3] -m vllm.entrypoints.openai.api_server, … -m vllm.entrypoints.api_server
 *   text-generation-launcher
 *   torchserve
 *   ovms, /ovms/bin/ovms
 *   llama-server, /app/llama-server, ./build/bin/llama-server
 *   hf download <repo>, huggingface-cli download <repo>, python -m huggingface_hub.commands.huggingface_cli download
 *
 * Launchers in front are looked through: `uv run`, `uvx`, `poetry run`, `pipenv run`,
 * `conda|mamba|micromamba run [-n env]`, `python -m` interpreter options.
 */

export const GRAMMARS: Record<ServingProgram, ProgramGrammar> = {
  tritonserver: tritonserverGrammar,
  vllm: vllmGrammar,
  tgi: tgiGrammar,
  torchserve: torchserveGrammar,
  ovms: ovmsGrammar,
  'llama-server': llamaServerGrammar,
  'hf-download': hfDownloadGrammar,
};

/** Python interpreter options that take a value (`python -W ignore -m x`). */
const PYTHON_VALUE_OPTIONS = new Set(['-W', '-X', '-c', '--check-hash-based-pycs']);
const LAUNCHER_VALUE_OPTIONS = /^(-n|--name|-p|--prefix|--with|--python|-p|--from|--project|--directory|--env-file|--extra|--group|--index|--index-url|--extra-index-url|--with-requirements)$/;

interface Identified {
  program: ServingProgram;
  /** Index of the program word in [program, ...args] (0 = invocation.program). */
  at: number;
  /** Index in invocation.args where the program's own arguments start. */
  argsStart: number;
  subcommand?: string;
}

// Word indexes count the program as 0; `invocation.args` indexes are one less.

/** The words of an invocation: the program first. */
function words(inv: Invocation): ArgItem[] {
  return [inv.program, ...inv.args];
}

function identify(inv: Invocation): Identified | undefined {
  const w = words(inv);
  let k = 0;
  for (let guard = 0; guard < 4 && k < w.length; guard++) {
    const name = basename(w[k].value).toLowerCase();
    // Launchers: `uv run …`, `poetry run …`, `conda run -n env …`, `uvx [--from pkg] …`.
    if (((name === 'uv' || name === 'poetry' || name === 'pipenv' || name === 'pdm' || name === 'hatch' || name === 'conda' || name === 'mamba' || name === 'micromamba' || name === 'rye') && w[k + 1]?.value === 'run') || name === 'uvx' || name === 'pipx') {
      let j = k + (name === 'uvx' ? 1 : 2);
      if (name === 'pipx' && w[j]?.value === 'run') j++;
      while (j < w.length && w[j].value.startsWith('-')) j += LAUNCHER_VALUE_OPTIONS.test(w[j].value) ? 2 : 1;
      if (j >= w.length) return undefined;
      k = j;
      continue;
    }
    break;
  }
  if (k >= w.length) return undefined;
  const word = w[k].value;
  const name = basename(word).toLowerCase();
  /** `consumed`: words after the program word that belong to it (`serve`, `download`). */
  const at = (program: ServingProgram, consumed: number, subcommand?: string): Identified => ({ program, at: k, argsStart: k + consumed, ...(subcommand ? { subcommand } : {}) });
  if (name === 'tritonserver') return at('tritonserver', 0);
  if (name === 'text-generation-launcher') return at('tgi', 0);
  if (name === 'torchserve') return at('torchserve', 0);
  if (name === 'ovms') return at('ovms', 0);
  if (name === 'llama-server') return at('llama-server', 0);
  if (name === 'vllm') return w[k + 1]?.value === 'serve' ? at('vllm', 1, 'serve') : undefined;
  if (name === 'hf' || name === 'huggingface-cli') return w[k + 1]?.value === 'download' ? at('hf-download', 1, 'download') : undefined;
  if (/^python(\d+(\.\d+)?)?$/.test(name)) {
    let j = k + 1;
    while (j < w.length && w[j].value.startsWith('-') && w[j].value !== '-m' && !w[j].value.startsWith('-m')) j += PYTHON_VALUE_OPTIONS.has(w[j].value) ? 2 : 1;
    let module: string | undefined;
    /** Word index of the first word after the module. */
    let next: number;
    if (w[j]?.value === '-m') {
      module = w[j + 1]?.value;
      next = j + 2;
    } else if (w[j]?.value.startsWith('-m')) {
      module = w[j].value.slice(2);
      next = j + 1;
    } else return undefined;
    if (!module) return undefined;
    if (VLLM_SERVER_MODULES.has(module)) return { program: 'vllm', at: k, argsStart: next - 1, subcommand: module };
    if (module === 'vllm.entrypoints.cli.main' && w[next]?.value === 'serve') return { program: 'vllm', at: k, argsStart: next, subcommand: 'serve' };
    if ((module === 'huggingface_hub.commands.huggingface_cli' || module === 'huggingface_hub.cli.hf') && w[next]?.value === 'download') {
      return { program: 'hf-download', at: k, argsStart: next, subcommand: 'download' };
    }
    return undefined;
  }
  return undefined;
}

const cache = new WeakMap<Invocation, ServingCommand | null>();

/** The serving program an invocation starts, parsed; undefined for any other command. */
export function parseServingCommand(inv: Invocation): ServingCommand | undefined {
  const cached = cache.get(inv);
  if (cached !== undefined) return cached ?? undefined;
  const id = identify(inv);
  const result = id ? parseArgs(GRAMMARS[id.program], inv, id.argsStart, words(inv)[id.at], id.subcommand) : undefined;
  cache.set(inv, result ?? null);
  return result;
}

/** Which serving program an invocation starts, without parsing its arguments. */
export function servingProgramOf(inv: Invocation): ServingProgram | undefined {
  return identify(inv)?.program;
}
