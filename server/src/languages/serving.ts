import type { DocumentInput } from '../engine/types';
import type { ServingFacts } from '../invocations/types';
import type { WorkspaceFacts } from '../workspace/workspace-facts';
import type { InputKind } from './detect';
import { dockerfileFactsOf } from './dockerfile/cache';
import { buildDockerfileServingFacts } from './dockerfile/serving';
import type { PythonFacts } from './python/facts';
import type { ParseCache } from './python/parse-cache';
import { buildPythonServingFacts } from './python/subprocess';
import { buildShellServingFacts } from './shell/facts';
import { buildKubernetesFacts, buildYamlServingFacts } from './yaml/facts';

/**
 * The `serving` facts of any file kind that can hold commands: the one entry point the engine
 * calls. Each front-end turns its commands into Invocations (architecture.md §2, "Command
 * contexts"); other kinds have none.
 */
export function buildServingFacts(kind: InputKind, doc: DocumentInput, workspace: WorkspaceFacts, parseCache?: ParseCache, python?: () => PythonFacts): ServingFacts {
  switch (kind) {
    case 'dockerfile':
      return buildDockerfileServingFacts(dockerfileFactsOf(doc.text));
    case 'shell':
      return buildShellServingFacts(doc.text);
    case 'kubernetes-yaml':
      return buildYamlServingFacts(buildKubernetesFacts(doc.text, 'kubernetes'), doc.uri, workspace);
    case 'compose-yaml':
      return buildYamlServingFacts(buildKubernetesFacts(doc.text, 'compose'), doc.uri, workspace);
    case 'python':
    case 'notebook':
      return buildPythonServingFacts(doc.text, { cache: parseCache, key: parseCache ? doc.uri : undefined, facts: python });
    default:
      return { fileKind: 'shell', invocations: [], environments: [] };
  }
}
