import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { ApolloServerPlugin, GraphQLRequest } from '@apollo/server';
import type { Logger } from '@ott/kit';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from './context';

/**
 * GATEWAY_TRUSTED_DOCUMENTS: `off` runs what clients send (and APQ); `allow` also runs the
 * manifest's documents by id alone; `require` runs nothing else (production's safelist).
 */
export type TrustedDocumentsMode = 'off' | 'allow' | 'require';

/** The codes of this module's refusals (docs/architecture.md, "Errors"); each answers HTTP 400. */
export const TrustedDocumentCode = {
  /** A hash or document id sent with a document that does not hash to it. */
  HASH_MISMATCH: 'PERSISTED_QUERY_HASH_MISMATCH',
  /** A document, hash or id the manifest does not list, with GATEWAY_TRUSTED_DOCUMENTS=require. */
  NOT_IN_LIST: 'PERSISTED_QUERY_NOT_IN_LIST',
  /** A `documentId` the manifest does not list. */
  NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
} as const;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** An id as clients send it (`sha256:<hex>`, the client preset's, or APQ's bare `<hex>`), as the manifest keys it. */
const normalizeId = (id: string) => (id.startsWith('sha256:') ? id.slice('sha256:'.length) : id).toLowerCase();

/**
 * The manifest codegen's client preset writes (schema/client/persisted-documents.json): an
 * object from id to document. Every id must be the SHA-256 of its document, so an id names one
 * document only and APQ's hash of the same document is the same id; anything else stops the start.
 */
export function loadManifest(path: string): Map<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`GATEWAY_TRUSTED_DOCUMENTS_PATH: cannot read the manifest ${path}: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`GATEWAY_TRUSTED_DOCUMENTS_PATH: ${path} is not an object of id → document`);
  }
  const documents = new Map<string, string>();
  for (const [id, document] of Object.entries(parsed)) {
    if (typeof document !== 'string' || sha256(document) !== normalizeId(id)) {
      throw new Error(`GATEWAY_TRUSTED_DOCUMENTS_PATH: the id ${id} in ${path} is not the SHA-256 of its document`);
    }
    documents.set(normalizeId(id), document);
  }
  return documents;
}

/**
 * The documents the gateway runs by id. `require` without its manifest stops the start (it
 * would refuse everything), as does a manifest named by GATEWAY_TRUSTED_DOCUMENTS_PATH that
 * cannot be read, or any manifest that is not sound; `allow` without one at the default place
 * (a supergraph kept elsewhere) runs what clients send, and says so.
 */
export function trustedDocuments(
  config: { GATEWAY_TRUSTED_DOCUMENTS: TrustedDocumentsMode; GATEWAY_TRUSTED_DOCUMENTS_PATH?: string; trustedDocumentsPath: string },
  logger: Logger,
): Map<string, string> {
  const mode = config.GATEWAY_TRUSTED_DOCUMENTS;
  if (mode === 'off') return new Map();
  if (mode === 'allow' && !config.GATEWAY_TRUSTED_DOCUMENTS_PATH && !existsSync(config.trustedDocumentsPath)) {
    logger.warn({ path: config.trustedDocumentsPath }, 'no trusted-documents manifest: no document runs by id');
    return new Map();
  }
  const listed = loadManifest(config.trustedDocumentsPath);
  logger.info({ mode, documents: listed.size }, 'trusted documents loaded');
  return listed;
}

/** An id as the client sent it, shortened for a message: it may be anything. */
const shown = (id: string) => JSON.stringify(id.length > 80 ? `${id.slice(0, 80)}…` : id);

const refusal = (code: string, message: string) => new GraphQLError(message, { extensions: { code, http: { status: 400 } } });

/** The GraphQL-over-HTTP `documentId` (body or GET parameter), or `extensions.documentId`. */
function documentIdOf(request: GraphQLRequest): string | undefined {
  const { http } = request;
  const fromBody = (http?.body as { documentId?: unknown } | undefined)?.documentId;
  const fromSearch = http?.search ? new URLSearchParams(http.search).get('documentId') : null;
  const given = fromBody ?? fromSearch ?? request.extensions?.documentId;
  return typeof given === 'string' && given !== '' ? given : undefined;
}

function apqHashOf(request: GraphQLRequest): string | undefined {
  const hash = (request.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined)?.sha256Hash;
  return typeof hash === 'string' ? hash : undefined;
}

/** What to do with a request: run it as sent, run a listed document instead, or refuse it. */
type Decision = { run: 'as-sent' } | { run: 'listed'; document: string } | { run: 'refused'; error: GraphQLError };

export function decide(request: GraphQLRequest, mode: TrustedDocumentsMode, listed: Map<string, string>): Decision {
  const query = request.query || undefined;
  const documentId = mode === 'off' ? undefined : documentIdOf(request);
  const apqHash = apqHashOf(request);
  if (query === undefined) {
    const id = documentId ?? apqHash;
    if (id === undefined) return { run: 'as-sent' };
    const document = listed.get(normalizeId(id));
    if (document !== undefined) return { run: 'listed', document };
    if (mode === 'require')
      return {
        run: 'refused',
        error: refusal(TrustedDocumentCode.NOT_IN_LIST, `This gateway runs trusted documents only, and ${shown(id)} is not one of them.`),
      };
    if (documentId !== undefined)
      return { run: 'refused', error: refusal(TrustedDocumentCode.NOT_FOUND, `No trusted document has the id ${shown(documentId)}.`) };
    // An APQ hash this gateway may have cached: Apollo Server looks it up (PERSISTED_QUERY_NOT_FOUND if not).
    return { run: 'as-sent' };
  }
  const hash = sha256(query);
  for (const id of [documentId, apqHash]) {
    if (id !== undefined && normalizeId(id) !== hash) {
      return {
        run: 'refused',
        error: refusal(
          TrustedDocumentCode.HASH_MISMATCH,
          `The document's SHA-256 is ${hash}, not the ${shown(id)} sent with it: send the hash of the exact document, or the document alone.`,
        ),
      };
    }
  }
  if (mode === 'require' && !listed.has(hash)) {
    return {
      run: 'refused',
      error: refusal(TrustedDocumentCode.NOT_IN_LIST, 'This gateway runs trusted documents only: send the id of a document of its manifest.'),
    };
  }
  return { run: 'as-sent' };
}

/** A document that parses, validates and resolves everywhere, run in place of a refused request until the refusal is thrown. */
const PLACEHOLDER = '{ __typename }';

/**
 * Runs the manifest's documents by id (`documentId`, or APQ's `extensions.persistedQuery.sha256Hash`
 * with no query), refuses a hash that does not match its document (in every mode), and with
 * `require` refuses anything the manifest does not list. Queries the gateway runs itself for
 * subscribers (`subscriptionUpdate`) are not clients' documents and pass.
 *
 * Apollo Server reads the document (and checks APQ hashes, answering a mismatch with an error
 * without a code, which the error formatter logs and masks as INTERNAL_SERVER_ERROR) after every
 * plugin's requestDidStart, and only refusals from didResolveOperation reach
 * the client with their code while the request is still logged and counted like any other: so a
 * refused request runs the placeholder up to operation resolution, where its refusal is thrown.
 */
/**
 * The refusal of a subscription's document under `require` when the manifest does not list it
 * (subscriptions run outside Apollo Server, so its plugin never sees them), or undefined.
 */
export function subscriptionRefusal(query: string, mode: TrustedDocumentsMode, listed: Map<string, string>): GraphQLError | undefined {
  const decision = decide({ query }, mode, listed);
  return decision.run === 'refused' ? decision.error : undefined;
}

export function trustedDocumentsPlugin(mode: TrustedDocumentsMode, listed: Map<string, string>): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ request, contextValue }) {
      if (contextValue.subscriptionUpdate) return;
      const decision = decide(request, mode, listed);
      if (decision.run === 'as-sent') return;
      if (request.extensions) delete request.extensions.persistedQuery;
      if (decision.run === 'listed') {
        request.query = decision.document;
        return;
      }
      request.query = PLACEHOLDER;
      request.operationName = undefined;
      request.variables = {};
      const { error } = decision;
      return {
        async didResolveOperation() {
          throw error;
        },
      };
    },
  };
}
