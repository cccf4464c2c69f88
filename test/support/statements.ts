// Counts the statements a Kysely instance executes, by kind and table ("select projects", "insert
// requesters", "raw savepoint part"): what the statement budget of processing is checked with (issue 14:
// every statement costs its query building and its execution, per message). Counted when a result comes
// back, so the parts of a UNION (each transformed on its own) count once, as the statement they make.
// Begin and commit are the driver's, not queries, and are not counted.
import type { KyselyPlugin, OperationNode, PluginTransformQueryArgs, PluginTransformResultArgs, QueryId, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import type { Store } from '../../src/store/database.js';

export class StatementCounter implements KyselyPlugin {
  readonly counts = new Map<string, number>();
  private readonly names = new WeakMap<QueryId, string>();

  /** `onStatement` runs as each result comes back, before the statement's caller goes on. */
  constructor(private readonly onStatement?: (name: string) => Promise<void> | void) {}

  transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
    this.names.set(queryId, describe(node));
    return node;
  }

  async transformResult({ result, queryId }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const name = this.names.get(queryId) ?? '?';
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
    await this.onStatement?.(name);
    return result;
  }

  count(name: string): number {
    return this.counts.get(name) ?? 0;
  }

  get total(): number {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }

  reset(): void {
    this.counts.clear();
  }
}

/** The same store, its statements counted by `counter`. */
export function countedStore(store: Store, counter: StatementCounter): Store {
  return { ...store, db: store.db.withPlugin(counter), close: () => store.close() };
}

function describe(node: RootOperationNode): string {
  switch (node.kind) {
    case 'SelectQueryNode':
      return `select ${tableOf(node.from?.froms[0])}`;
    case 'InsertQueryNode':
      return `insert ${tableOf(node.into)}`;
    case 'UpdateQueryNode':
      return `update ${tableOf(node.table)}`;
    case 'DeleteQueryNode':
      return `delete ${tableOf(node.from.froms[0])}`;
    case 'RawNode':
      return `raw ${node.sqlFragments.join('?').trim()}`;
    default:
      return node.kind;
  }
}

function tableOf(node: OperationNode | undefined): string {
  if (!node) return '?';
  if (node.kind === 'TableNode') return (node as unknown as { table: { identifier: { name: string } } }).table.identifier.name;
  if (node.kind === 'AliasNode') return tableOf((node as unknown as { node: OperationNode }).node);
  return node.kind;
}
