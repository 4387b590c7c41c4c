import { buildOperationContext, executeQueryPlan, type ServiceMap } from '@apollo/gateway';
import type { PlanNode, QueryPlan } from '@apollo/query-planner';
import type { GatewayExecutionResult, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { GraphQLError, type GraphQLFormattedError, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { viewOf, type DeferredDocument } from './document';
import type { Block, DeferPlanner } from './plan';
import { Shaper, valueAt } from './shape';

type Data = Record<string, unknown>;

/** What a subgraph answered to one call of an earlier part: the later parts' plans make the same call again. */
type Answers = Map<string, unknown>;

/**
 * The data sources of a part. A later part's plan starts with its parents' fetches (the
 * deferred fetches read their entities' keys from what those returned): each call a parent
 * already made is answered again from what the subgraph said then, without its errors (they
 * were in the parent's part), and never sent twice. New calls go to the subgraph and are kept
 * for this part's own deferred parts.
 */
function replaying(sources: ServiceMap, known: ReadonlyMap<string, unknown>, kept: Answers): ServiceMap {
  const map: ServiceMap = {};
  for (const [name, source] of Object.entries(sources)) {
    map[name] = {
      async process(options) {
        const key = `${name}\n${options.request.query ?? ''}\n${JSON.stringify(options.request.variables ?? {})}`;
        if (known.has(key)) return { data: structuredClone(known.get(key)) as Data | null };
        const response = await source.process(options);
        // Copied before the executor merges it into the part's data, which it changes in place.
        kept.set(key, structuredClone(response.data ?? null));
        return response;
      },
    };
  }
  return map;
}

export interface Part {
  data?: Data | null;
  errors?: readonly GraphQLError[];
  extensions?: Record<string, unknown>;
  answers: Answers;
}

export interface PartRunnerOptions {
  planner: DeferPlanner;
  sources: ServiceMap;
  /** The API schema the client's document was validated against. */
  schema: GraphQLSchema;
  document: DeferredDocument;
  operationName: string | undefined;
  /** What executeQueryPlan reads of the request: its variables, logger, metrics, context and cache policy. */
  requestContext: GatewayGraphQLRequestContext;
}

/**
 * Runs the plan nodes of one part (its parents' first, answered again from what they were
 * told) with @apollo/gateway's own executor, shaped by the part's view of the document.
 */
export async function runPart(
  options: PartRunnerOptions,
  nodes: (PlanNode | undefined)[],
  known: ReadonlyMap<string, unknown>,
  released: ReadonlySet<string>,
): Promise<Part> {
  const own = nodes.filter((node): node is PlanNode => node !== undefined);
  const plan: QueryPlan = { kind: 'QueryPlan', node: own.length === 0 ? undefined : own.length === 1 ? own[0] : { kind: 'Sequence', nodes: own } };
  const view = viewOf(options.schema, options.document.document, released);
  const operationContext = buildOperationContext({ schema: options.schema, operationDocument: view, operationName: options.operationName });
  const answers: Answers = new Map(known);
  const result: GatewayExecutionResult = await executeQueryPlan(
    plan,
    replaying(options.sources, known, answers),
    options.requestContext,
    operationContext,
    options.planner.supergraphSchema,
    options.planner.apiSchema,
  );
  return { data: result.data, errors: result.errors as readonly GraphQLError[] | undefined, extensions: result.extensions, answers };
}

export type FormatError = (error: unknown) => GraphQLFormattedError;

export interface IncrementalItem {
  data: Data | null;
  path: (string | number)[];
  label?: string;
  errors?: GraphQLFormattedError[];
}

export interface Subsequent {
  incremental: IncrementalItem[];
  hasNext: boolean;
}

/** Parts as they complete; ends after the one sent with hasNext false. */
class Parts implements AsyncIterable<Subsequent> {
  private readonly queued: Subsequent[] = [];
  private wake: (() => void) | undefined;
  private ended = false;

  push(part: Subsequent): void {
    this.queued.push(part);
    if (!part.hasNext) this.end();
    this.wake?.();
  }

  /** Nothing more comes (also when no deferred part had anywhere to go). */
  end(): void {
    this.ended = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Subsequent> {
    for (;;) {
      const next = this.queued.shift();
      if (next) {
        yield next;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}

/** A part's errors go with the item whose path they are under (the first item takes the rest). */
function itemsWithErrors(items: IncrementalItem[], errors: readonly GraphQLError[] | undefined, format: FormatError): IncrementalItem[] {
  for (const error of errors ?? []) {
    const path = error.path ?? [];
    const item = items.find((candidate) => candidate.path.every((step, i) => path[i] === step)) ?? items[0]!;
    (item.errors ??= []).push(format(error));
  }
  return items;
}

export interface DeferredRun {
  initial: { data?: Data | null; errors?: GraphQLFormattedError[]; extensions?: Record<string, unknown>; hasNext: boolean };
  subsequent: AsyncIterable<Subsequent>;
}

/**
 * The primary part (awaited), then every deferred part as soon as its own fetches are
 * answered: a deferred fragment's fetches start once its parent part is complete, those of
 * sibling fragments at the same time. `done` is called once nothing runs any more.
 */
export async function runDeferred(
  options: PartRunnerOptions,
  root: Block,
  format: FormatError,
  stopped: () => boolean,
  done: () => void,
): Promise<DeferredRun> {
  const { document, schema } = options;
  const rootType = schema.getRootType(document.operation.operation) as GraphQLObjectType;
  const shaper = new Shaper(schema, document.document, document.variables);
  const selection = document.operation.selectionSet;
  const parts = new Parts();
  let running = 0;

  /** A part whose execution threw (executeQueryPlan turns subgraph failures into errors itself). */
  const failed = (error: unknown): Part => ({
    data: null,
    errors: [error instanceof GraphQLError ? error : new GraphQLError('The deferred part could not be completed.', { originalError: error as Error })],
    answers: new Map(),
  });

  /** Starts a block's part if its fragment applies anywhere in its parent's answer. */
  const start = (block: Block, parentData: Data, lineage: Block[], known: ReadonlyMap<string, unknown>, released: ReadonlySet<string>) => {
    const positions = shaper.positions(parentData, rootType, selection, block.id!, released);
    if (positions.length === 0 || stopped()) return;
    running += 1;
    const ownReleased = new Set([...released, block.id!]);
    const usage = document.defers.get(block.id!);
    void runPart(options, [...lineage.map((b) => b.node), block.node], known, ownReleased)
      .catch(failed)
      .then((part) => {
        let items: IncrementalItem[];
        try {
          items = positions.map(({ path, selectionSet, type }) => {
            const value = valueAt(part.data, path);
            const data =
              value && typeof value === 'object' ? shaper.pick(value as Data, [selectionSet], shaper.runtimeType(value as Data, type) ?? type) : null;
            return { data, path, ...(usage?.label ? { label: usage.label } : {}) };
          });
          if (part.data) for (const child of block.children) start(child, part.data, [...lineage, block], part.answers, ownReleased);
        } catch (error) {
          items = positions.map(({ path }) => ({ data: null, path, ...(usage?.label ? { label: usage.label } : {}) }));
          part = { ...part, errors: [new GraphQLError('The deferred part could not be completed.', { originalError: error as Error })] };
        }
        running -= 1;
        parts.push({ incremental: itemsWithErrors(items, part.errors, format), hasNext: running > 0 });
        if (running === 0) done();
      });
  };

  const primary = await runPart(options, [root.node], new Map(), new Set()).catch(failed);
  let data: Data | null | undefined;
  try {
    data = primary.data ? shaper.pick(primary.data, [selection], rootType) : primary.data;
  } catch (error) {
    done();
    throw error;
  }
  if (primary.data) for (const child of root.children) start(child, primary.data, [root], primary.answers, new Set());
  if (running === 0) {
    parts.end();
    done();
  }
  const errors = primary.errors?.map(format);
  return {
    initial: { data, ...(errors?.length ? { errors } : {}), ...(primary.extensions ? { extensions: primary.extensions } : {}), hasNext: running > 0 },
    subsequent: parts,
  };
}
