// A TCP relay on loopback that can go silent, for tests of peers that stop answering without
// closing the connection (a blackholed network, a frozen server).
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface Relay {
  /** `127.0.0.1:PORT` of the relay. */
  connectString: string;
  /** Drops all traffic both ways and keeps every connection open, new ones included. */
  blackhole(): void;
  /** Ends the connections that lost traffic and relays new ones again. */
  restore(): void;
  close(): Promise<void>;
}

/** A TCP relay on loopback to `port`, standing for a network that can silently drop packets. */
export async function startRelay(port: number): Promise<Relay> {
  let dropping = false;
  const pairs = new Set<[Socket, Socket]>();
  const server: Server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    // A blackholed network carries no FIN or RST either: while dropping, one side ending leaves the other open.
    const end = (): void => {
      if (dropping) return;
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk) => dropping || upstream.write(chunk));
    upstream.on('data', (chunk) => dropping || client.write(chunk));
    for (const socket of pair) socket.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const relayPort = typeof address === 'object' && address ? address.port : 0;
  return {
    connectString: `127.0.0.1:${relayPort}`,
    blackhole() {
      dropping = true;
    },
    restore() {
      for (const pair of [...pairs]) for (const socket of pair) socket.destroy();
      dropping = false;
    },
    async close() {
      for (const pair of [...pairs]) for (const socket of pair) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
