/** The flat codebook from the server as the tree people think in: theme → category → code. */
import type { CodeLevel, CodeRow } from './types'

export type CodeTreeNode = CodeRow & { children: CodeTreeNode[] }

const levelRank: Record<CodeLevel, number> = { theme: 0, category: 1, code: 2 }

/**
 * The codebook as a tree. A category or code with no parent (open coding names codes before it groups
 * them) is a root of its own; roots come themes first, then categories, then codes, each in the
 * order they were created (the server's order).
 */
export function codeTree(codes: readonly CodeRow[]): CodeTreeNode[] {
  const nodes = new Map(codes.map((c) => [c.id, { ...c, children: [] as CodeTreeNode[] }]))
  const roots: CodeTreeNode[] = []
  for (const node of nodes.values()) {
    const parent = node.parentId ? nodes.get(node.parentId) : undefined
    if (parent) parent.children.push(node)
    else roots.push(node)
  }
  return roots.sort((a, b) => levelRank[a.level] - levelRank[b.level])
}

/** "Theme › Category › Code": where a code sits, for lists that show codes out of their tree. */
export function codePath(code: CodeRow, byId: ReadonlyMap<string, CodeRow>): string {
  const names = [code.name]
  let parent = code.parentId ? byId.get(code.parentId) : undefined
  while (parent) {
    names.unshift(parent.name)
    parent = parent.parentId ? byId.get(parent.parentId) : undefined
  }
  return names.join(' › ')
}

/** The level a parent must have: a category sits in a theme, a code in a category; a theme has none. */
export const parentLevel: Record<CodeLevel, CodeLevel | null> = { theme: null, category: 'theme', code: 'category' }
