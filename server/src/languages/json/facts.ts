import { parseJson, type JsonDocument } from './parser';

/** Facts of a JSON configuration file: the positioned tree (or the problem that stopped parsing). */
export interface JsonFacts {
  uri: string;
  doc: JsonDocument;
}

export function buildJsonFacts(uri: string, text: string): JsonFacts {
  return { uri, doc: parseJson(text) };
}
