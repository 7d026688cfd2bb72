/** Reading `.ipynb` files: only the cell sources are needed, never outputs. */

export interface NotebookCell { kind: 'code' | 'markdown' | 'raw'; source: string }

export function parseNotebook(text: string): { cells: NotebookCell[] } | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { error: `notebook is not valid JSON (${(e as Error).message}); not analyzed` };
  }
  if (!json || typeof json !== 'object' || !Array.isArray((json as { cells?: unknown }).cells)) {
    return { error: 'notebook has no "cells" array; not analyzed' };
  }
  const cells: NotebookCell[] = [];
  for (const raw of (json as { cells: unknown[] }).cells) {
    if (!raw || typeof raw !== 'object') continue;
    const c = raw as { cell_type?: unknown; source?: unknown };
    const kind = c.cell_type === 'code' ? 'code' : c.cell_type === 'markdown' ? 'markdown' : 'raw';
    const source = Array.isArray(c.source) ? c.source.filter((s) => typeof s === 'string').join('') : typeof c.source === 'string' ? c.source : '';
    cells.push({ kind, source: source.replace(/\r\n?/g, '\n') });
  }
  return { cells };
}
