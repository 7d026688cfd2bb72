import { DockerfileParser, type Dockerfile } from 'dockerfile-ast';

let last: { text: string; dockerfile: Dockerfile } | undefined;

/**
 * dockerfile-ast's parse of a text; the parse of the last text is reused, so the front-ends that
 * read one Dockerfile (pip pins, stages, commands) parse it once. dockerfile-ast costs about 0.1 ms
 * per line, which matters for pathological files.
 */
export function parseDockerfile(text: string): Dockerfile {
  if (last && last.text === text) return last.dockerfile;
  const dockerfile = DockerfileParser.parse(text);
  last = { text, dockerfile };
  return dockerfile;
}
