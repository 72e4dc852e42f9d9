// Shared by the ZooKeeper store tests.
import { createServer, Socket, type AddressInfo, type Server } from 'node:net';
import type { ZkSession } from '../../src/zk/session.js';

/** Deletes a znode and everything below it. */
export async function removeTree(session: ZkSession, path: string): Promise<void> {
  const children = await session.getChildren(path).catch(() => [] as string[]);
  await Promise.all(children.map((child) => removeTree(session, `${path}/${child}`)));
  await session.remove(path).catch(() => undefined);
}

/** Polls `condition` every 25 ms for up to `timeoutMs`; throws `what` if it never holds. */
export async function waitFor(condition: () => boolean, what = 'condition', timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A TCP relay to ZooKeeper that can drop every connection and refuse new ones, then let them in again. */
export class PausableProxy {
  private readonly sockets = new Set<Socket>();
  private paused = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<PausableProxy> {
    let proxy: PausableProxy | undefined;
    const server = createServer((client) => {
      if (proxy === undefined || proxy.paused) {
        client.destroy();
        return;
      }
      const upstream = new Socket();
      proxy.sockets.add(client).add(upstream);
      const drop = (): void => {
        client.destroy();
        upstream.destroy();
        proxy?.sockets.delete(client);
        proxy?.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      upstream.connect(targetPort, '127.0.0.1', () => {
        client.pipe(upstream);
        upstream.pipe(client);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new PausableProxy(server, (server.address() as AddressInfo).port);
    return proxy;
  }

  async pause(): Promise<void> {
    this.paused = true;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  resume(): void {
    this.paused = false;
  }

  async close(): Promise<void> {
    await this.pause();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
