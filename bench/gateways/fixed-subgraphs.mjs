// Fixed-response subgraphs, as published gateway benchmarks use to measure a gateway alone:
// one process that stands in for every subgraph and answers a request it has seen before
// (same body, same Authorization) with what the real subgraph answered the first time (its
// status, body and Cache-Control, which carries its @cacheControl hints), doing no other work. Anything new goes to the real subgraph once. Health checks pass through.
//
//   FIXED_SUBGRAPHS='[{"port":5001,"target":"http://127.0.0.1:4001/graphql"}, …]' node fixed-subgraphs.mjs
import { createServer } from 'node:http';

const answers = new Map();

function serve({ port, target }) {
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks).toString();
    const key = `${req.headers.authorization ?? ''}\n${body}`;
    let answer = req.method === 'POST' ? answers.get(key) : undefined;
    if (!answer) {
      const forwarded = { ...req.headers };
      delete forwarded.host;
      delete forwarded['content-length'];
      const response = await fetch(new URL(req.url, target), { method: req.method, headers: forwarded, body: req.method === 'POST' ? body : undefined });
      answer = {
        status: response.status,
        headers: {
          'content-type': response.headers.get('content-type') ?? 'application/json',
          'cache-control': response.headers.get('cache-control') ?? 'no-store',
        },
        body: await response.text(),
      };
      if (req.method === 'POST' && response.status === 200 && !answer.body.includes('"errors"')) answers.set(key, answer);
    }
    res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
    res.end(answer.body);
  });
  server.keepAliveTimeout = 30_000;
  server.listen(port, '127.0.0.1');
}

for (const subgraph of JSON.parse(process.env.FIXED_SUBGRAPHS)) serve(subgraph);
