import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay in front of a real service that holds the service's answers back until
 * released: the requests reach the service at once, nothing is mocked, and a test can tell
 * what a client received while a subgraph's answer was still on its way.
 */
export interface HeldLink {
  /** The service's URL, through the relay. */
  url: string;
  /** Requests (chunks from the gateway) that reached the relay so far. */
  readonly requests: number;
  /** Lets everything held, and everything after it, through. */
  release(): void;
  close(): Promise<void>;
}

export async function heldLink(targetUrl: string): Promise<HeldLink> {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  const held: (() => void)[] = [];
  let holding = true;
  let requests = 0;
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.on('data', (chunk) => {
      requests += 1;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      const send = () => client.writable && client.write(chunk);
      if (holding) held.push(send);
      else send();
    });
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => (holding ? held.push(() => client.destroy()) : client.destroy()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}${target.pathname}`,
    get requests() {
      return requests;
    },
    release() {
      holding = false;
      for (const send of held.splice(0)) send();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
