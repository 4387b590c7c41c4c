import { request as httpRequest, Agent as HttpAgent } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { ClientGone, SubgraphTimeout, type Answer, type Send } from './subgraph-call';

/**
 * Keep-alive sockets to every subgraph, reused in LIFO order (the warmest first); idle sockets
 * are closed well before the subgraphs' own 65 s keep-alive, so a reused socket is never one
 * the subgraph is closing.
 */
const agents = {
  'http:': new HttpAgent({ keepAlive: true, scheduling: 'lifo', timeout: 30_000 }),
  'https:': new HttpsAgent({ keepAlive: true, scheduling: 'lifo', timeout: 30_000 }),
};

/**
 * The bare transport: the call's body POSTed to `url` on a keep-alive socket with the call's
 * headers, cut off at its `timeoutMs`, and aborted by its `signal` (its connection closed, so
 * the subgraph sees it and stops waiting on it). Any HTTP status is an answer.
 */
export function post(target: string): Send {
  const url = new URL(target);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const agent = agents[url.protocol as keyof typeof agents];
  return ({ headers, body, timeoutMs, signal }) =>
    new Promise<Answer>((resolve, reject) => {
      if (signal?.aborted) return reject(new ClientGone());
      headers['content-length'] = String(Buffer.byteLength(body));
      const request = send(url, { method: 'POST', agent, headers }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, cacheControl: response.headers['cache-control'], body: text });
        });
        response.on('error', fail);
      });
      const timer = setTimeout(() => request.destroy(new SubgraphTimeout(timeoutMs)), timeoutMs);
      const abort = () => request.destroy(new ClientGone());
      signal?.addEventListener('abort', abort, { once: true });
      function fail(error: Error) {
        clearTimeout(timer);
        reject(error);
      }
      request.on('error', fail);
      request.on('close', () => signal?.removeEventListener('abort', abort));
      request.end(body);
    });
}
