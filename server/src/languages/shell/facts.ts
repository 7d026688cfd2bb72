import { invocationsOfCommands } from '../../invocations/build';
import type { InvocationContext, ServingFacts } from '../../invocations/types';
import { LineIndex, MappedText } from '../text-map';
import { parseShell } from './commands';

/** Serving facts of a shell script: every command as an Invocation, every export/assignment once. */
export function buildShellServingFacts(text: string): ServingFacts {
  const doc = new LineIndex(text);
  const ids = { next: 1 };
  const script = parseShell(MappedText.slice(doc, 0, text.length), { ids });
  const context: InvocationContext = { source: 'shell', block: 1, blockRange: doc.range(0, text.length) };
  return {
    fileKind: 'shell',
    invocations: invocationsOfCommands(script.commands, context, { ids }),
    environments: [{ context, env: script.definitions }],
  };
}
