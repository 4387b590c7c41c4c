import { Directive } from 'type-graphql';

// What a field costs the graph, declared on the field itself as the demand-control directives of
// federation 2.9 (the cost spec: `@cost`, `@listSize`). Composition carries them into the
// supergraph, where the gateway reads them (gateway/src/field-costs.ts) and Apollo Router and
// Hive read the same names. An object the operation returns costs 1; a list multiplies its
// items' cost by its size; these say how large a list is and what a field weighs beyond that.

/** Work of the field's own beyond reading what it returns (a scan, a ranking, a filtered count), added once per call. */
export const Cost = (weight: number) => Directive(`@cost(weight: ${weight})`);

/** A list no argument bounds: about `size` items (genres of a title, lines of an invoice). */
export const AssumedSize = (size: number) => Directive(`@listSize(assumedSize: ${size})`);

// `first` has a default on every field it pages, so a query may leave it out: the size is then
// the default, and Router must not require the argument (requireOneSlicingArgument: false).

/** A list of as many items as its `first` argument. */
export const SlicedByFirst = () => Directive('@listSize(slicingArguments: ["first"], requireOneSlicingArgument: false)');

/** A connection whose `edges` are as many as its `first` argument. */
export const PagedByFirst = () => Directive('@listSize(slicingArguments: ["first"], sizedFields: ["edges"], requireOneSlicingArgument: false)');
