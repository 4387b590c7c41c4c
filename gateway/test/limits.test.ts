import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildSchema, Kind, parse, specifiedRules, validate, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { gatewayConfig } from '../src/config';
import { withFieldCosts } from '../src/field-costs';
import { assertCost, limitRules } from '../src/limits';

const ROOT = resolve(__dirname, '../..');
// The API schema, with the costs the supergraph's @cost and @listSize give its fields (as the gateway serves it).
const schema = withFieldCosts(
  buildSchema(readFileSync(resolve(ROOT, 'schema/api.graphql'), 'utf8')),
  readFileSync(resolve(ROOT, 'schema/supergraph.graphql'), 'utf8'),
);
const { limits } = gatewayConfig({});

/** Every operation of the README's GraphQL examples (placeholders like "<id>" are strings already). */
function readmeOperations(): string[] {
  const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks.flatMap((block) => {
    const document = parse(block);
    return document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).map((d) => block.slice(d.loc!.start, d.loc!.end));
  });
}

/** The documents the benchmarks send (template literals that hold no interpolation). */
function benchOperations(): string[] {
  const dir = resolve(ROOT, 'bench');
  const sources = readdirSync(dir)
    .filter((f) => f.endsWith('.bench.mjs'))
    .map((f) => readFileSync(resolve(dir, f), 'utf8'));
  return sources
    .flatMap((source) => [...source.matchAll(/`((?:query|mutation|subscription)\b[^`$]*|\{[^`$]*\})`/g)].map((m) => m[1]!))
    .filter((text) => /^\s*(query|mutation|subscription|\{)/.test(text));
}

/** What frontends' screens ask in one request (the home screen's rows; a title page). */
const SCREENS = [
  `{ featured(first: 10) { id title posterUrl genres { name } } trending(first: 10) { id title posterUrl }
     me { continueWatching(first: 10) { positionSeconds content { id title posterUrl } } myList(first: 20) { edges { node { content { id title posterUrl } } } } }
     drama: browse(filter: { genreSlug: "drama" }, first: 20) { edges { node { id title posterUrl averageRating } } }
     comedy: browse(filter: { genreSlug: "comedy" }, first: 20) { edges { node { id title posterUrl averageRating } } }
     scifi: browse(filter: { genreSlug: "science-fiction" }, first: 20) { edges { node { id title posterUrl averageRating } } } }`,
  `query Title($id: ID!) { content(id: $id) { id title synopsis releaseYear maturityRating posterUrl genres { id name } averageRating ratingsCount
     myRating { score } inMyList playCount ratings(first: 10) { edges { node { score review user { displayName } } } } similar(first: 12) { id title posterUrl }
     ... on Movie { director cast runtimeMinutes } ... on TvShow { seasons { number episodes { id title episodeNumber runtimeMinutes } } } } }`,
];

function refusals(text: string, variables: Record<string, unknown> = {}): string[] {
  let document: DocumentNode;
  try {
    document = parse(text, { maxTokens: limits.maxTokens });
  } catch (error) {
    return [(error as Error).message];
  }
  const errors = validate(schema, document, [...specifiedRules, ...limitRules(limits)]).map((e) => e.message);
  try {
    assertCost(schema, document, variables, undefined, limits.maxCost);
  } catch (error) {
    errors.push((error as Error).message);
  }
  return errors;
}

describe('the default limits', () => {
  it('pass every operation of the README', () => {
    const operations = readmeOperations();
    expect(operations.length).toBeGreaterThan(15);
    for (const operation of operations) expect(refusals(operation, { id: 'x' }), operation).toEqual([]);
  });

  it('pass every operation the benchmarks send', () => {
    const operations = benchOperations();
    expect(operations.length).toBeGreaterThan(5);
    for (const operation of operations) expect(refusals(operation), operation).toEqual([]);
  });

  it('pass the frontends’ heaviest screens', () => {
    for (const screen of SCREENS) expect(refusals(screen, { id: 'x' })).toEqual([]);
  });

  it('refuse 400 aliases of search(first: 100) while parsing, before anything else runs', () => {
    const bomb = `{ ${Array.from({ length: 400 }, (_, i) => `a${i}: search(query: "a", first: 100) { id title }`).join(' ')} }`;
    expect(refusals(bomb)).toEqual(['Syntax Error: Document contains more that 5000 tokens. Parsing aborted.']);
  });

  it('refuse more aliases than the limit, naming it and by how much', () => {
    const aliases = `{ ${Array.from({ length: 30 }, (_, i) => `a${i}: genres { id }`).join(' ')} }`;
    expect(refusals(aliases)).toEqual(['The operation uses 30 aliases; the limit is 20.']);
  });

  it('count a search as the scan it is: a handful per request', () => {
    const searches = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: search(query: "a${i}", first: 100) { id }`).join(' ')} }`;
    expect(refusals(searches(16))).toEqual([]);
    expect(refusals(searches(17))).toEqual(['The operation is estimated to cost 5100; the limit is 5000. Ask for fewer items (first) or fewer fields.']);
  });

  it('refuse what costs too much even within the alias limit: every list counts as many items as it asks for', () => {
    const heavy = (n: number) =>
      `{ ${Array.from({ length: n }, (_, i) => `a${i}: browse(first: 100) { edges { node { similar(first: 10) { id title } } } }`).join(' ')} }`;
    expect(refusals(heavy(2))).toEqual([]);
    expect(refusals(heavy(3))).toEqual(['The operation is estimated to cost 5415; the limit is 5000. Ask for fewer items (first) or fewer fields.']);
  });

  it('count `first` given as a variable, and a field’s default when it is not given', () => {
    const query = `query ($n: Int) { browse(first: $n) { edges { node { similar { id } } } } }`;
    expect(refusals(query, { n: 100 })).toEqual([]);
    expect(refusals(query.replace('similar', 'similar(first: 100)'), { n: 100 })[0]).toMatch(/estimated to cost \d+; the limit is 5000/);
  });

  it('refuse too many directives and tokens, and leave introspection alone', () => {
    const directives = `query ($t: Boolean!) { genres { ${Array.from({ length: 21 }, (_, i) => `a${i}: id @include(if: $t)`).join(' ')} } }`;
    expect(refusals(directives, { t: true })).toContain('The operation uses 21 directives; the limit is 20.');
    const tokens = `{ genres { ${'id '.repeat(5_000)} } }`;
    expect(refusals(tokens)).toEqual(['Syntax Error: Document contains more that 5000 tokens. Parsing aborted.']);
    const introspection = `{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name ofType { name ofType { name } } } } } } } } } }`;
    expect(refusals(introspection)).toEqual([]);
  });
});
