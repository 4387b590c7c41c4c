import { operationFromDocument, Supergraph, type Schema } from '@apollo/federation-internals';
import { QueryPlanner, type DeferNode, type PlanNode, type QueryPlan } from '@apollo/query-planner';
import type { DocumentNode, GraphQLSchema } from 'graphql';

/**
 * One part of a deferred answer, as the planner laid it out: the fetches it needs of its own
 * (`node`; none when the data came with its parent's), and the deferred parts inside it,
 * which wait for it. The root block is the primary part.
 */
export interface Block {
  /** Our label of the deferred fragment (document.ts); undefined for the primary part. */
  id?: string;
  node?: PlanNode;
  children: Block[];
}

const containsDefer = (node: PlanNode | undefined): boolean => {
  if (!node) return false;
  switch (node.kind) {
    case 'Defer':
      return true;
    case 'Sequence':
    case 'Parallel':
      return node.nodes.some(containsDefer);
    case 'Flatten':
      return containsDefer(node.node);
    case 'Condition':
      return containsDefer(node.ifClause) || containsDefer(node.elseClause);
    default:
      return false;
  }
};

/** A Defer node as blocks; undefined when a Defer sits anywhere but where the planner puts it (the root of a part). */
function blocksOf(defer: DeferNode, id?: string): Block | undefined {
  if (containsDefer(defer.primary.node)) return undefined;
  const children: Block[] = [];
  for (const deferred of defer.deferred) {
    if (!deferred.label) return undefined;
    if (deferred.node?.kind === 'Defer') {
      const nested = blocksOf(deferred.node, deferred.label);
      if (!nested) return undefined;
      children.push(nested);
    } else {
      if (containsDefer(deferred.node)) return undefined;
      children.push({ id: deferred.label, node: deferred.node, children: [] });
    }
  }
  return { id, node: defer.primary.node, children };
}

/** The supergraph as the defer path needs it: its planner with @defer on, and the schemas executeQueryPlan takes. */
export class DeferPlanner {
  readonly supergraphSchema: GraphQLSchema;
  readonly apiSchema: Schema;
  private readonly planner: QueryPlanner;
  /** Plans per document (Apollo Server hands every request of one text the same parsed document) and operation name. */
  private readonly plans = new WeakMap<DocumentNode, Map<string, Block | undefined>>();

  constructor(supergraphSdl: string) {
    const supergraph = Supergraph.build(supergraphSdl);
    this.supergraphSchema = supergraph.schema.toGraphQLJSSchema();
    this.apiSchema = supergraph.apiSchema();
    this.planner = new QueryPlanner(supergraph, { incrementalDelivery: { enableDefer: true } });
  }

  /**
   * The blocks of a labelled document (document.ts), keyed by the client's document: the
   * labels, and so the plan, depend only on which @defer are in force. Undefined when the plan
   * defers nothing (the gateway answers it in one part).
   */
  plan(clientDocument: DocumentNode, labelled: DocumentNode, operationName: string | undefined, inForce: string): Block | undefined {
    let plans = this.plans.get(clientDocument);
    if (!plans) this.plans.set(clientDocument, (plans = new Map()));
    const key = `${operationName ?? ''}\n${inForce}`;
    if (plans.has(key)) return plans.get(key);
    const operation = operationFromDocument(this.apiSchema, labelled, { operationName });
    const plan: QueryPlan = this.planner.buildQueryPlan(operation);
    const root = plan.node?.kind === 'Defer' ? blocksOf(plan.node) : undefined;
    if (plans.size >= 20) plans.clear();
    plans.set(key, root);
    return root;
  }
}
