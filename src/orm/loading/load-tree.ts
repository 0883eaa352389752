/**
 * Loader options merged into one tree keyed by relationship, the form the planner and the related
 * loads walk, and that tree as a string for the compiled-load cache keys.
 */
import type { TableAlias } from '../../sql/selectable.js';
import type { RelationshipProperty } from '../mapping/relationships.js';
import type { LoaderOption, LoadStrategy } from './options.js';
import { columnSpecKey, mergeColumnStep, type ColumnSpec } from './column-options.js';

/** Options merged into a tree keyed by relationship, as the loaders walk it. */
export interface LoadNode {
  strategy: LoadStrategy;
  alias?: TableAlias;
  readonly children: Map<RelationshipProperty, LoadNode>;
}

/**
 * The column options of each level of a tree (the root: the query's entity; a node's children: its
 * target), kept beside the levels so every walker of the tree (the planner, related loads) finds the
 * columns of the entity it plans without another parameter.
 */
const levelColumns = new WeakMap<Map<RelationshipProperty, LoadNode>, ColumnSpec>();

/** The column options for the entity planned with this level of the tree; undefined when none. */
export function columnsOf(level: Map<RelationshipProperty, LoadNode>): ColumnSpec | undefined {
  return levelColumns.get(level);
}

export function buildLoadTree(options: readonly LoaderOption[]): Map<RelationshipProperty, LoadNode> {
  const root = new Map<RelationshipProperty, LoadNode>();
  for (const opt of options) {
    let level = root;
    opt.steps.forEach((s, i) => {
      const prop = s.attribute.property;
      let node = level.get(prop);
      const last = i === opt.steps.length - 1;
      if (!node) {
        node = { strategy: s.strategy, alias: s.alias, children: new Map() };
        level.set(prop, node);
      } else if (last) {
        node.strategy = s.strategy;
        node.alias = s.alias ?? node.alias;
      }
      level = node.children;
    });
    if (opt.columns) levelColumns.set(level, mergeColumnStep(levelColumns.get(level), opt.columns));
  }
  return root;
}

const treeKeys = new WeakMap<Map<RelationshipProperty, LoadNode>, string>();

/** A loader option tree as a string (part of a cache key); trees are immutable once built, so memoized. */
export function loadTreeKey(tree: Map<RelationshipProperty, LoadNode>): string {
  const columns = levelColumns.get(tree);
  if (tree.size === 0 && !columns) return '';
  let key = treeKeys.get(tree);
  if (key === undefined) {
    key = columnSpecKey(columns);
    for (const [prop, node] of tree) {
      key += `${prop.name.length}:${prop.name}${node.strategy}`;
      if (node.alias) key += `@${node.alias.name.length}:${node.alias.name}`;
      key += `(${loadTreeKey(node.children)})`;
    }
    treeKeys.set(tree, key);
  }
  return key;
}
