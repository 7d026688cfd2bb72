import { buildDockerfileFacts, type DockerfileFacts } from './facts';

let last: { text: string; facts: DockerfileFacts } | undefined;

/** The Dockerfile facts of a text; the parse of the last text is reused (the `dockerfile` and `serving` fact kinds read the same parse). */
export function dockerfileFactsOf(text: string): DockerfileFacts {
  if (last && last.text === text) return last.facts;
  const facts = buildDockerfileFacts(text);
  last = { text, facts };
  return facts;
}
