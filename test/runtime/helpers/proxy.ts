/**
 * A loopback TCP proxy that forwards a database connection byte for byte and can cut it at the worst
 * moment: after a request reached the server and the server answered, before the answer reaches the
 * client. That is a lost reply: the statement ran, the client cannot know.
 */
import net from 'node:net';

interface PendingCut {
  readonly marker: Buffer;
  readonly done: () => void;
}

/** A forwarding proxy on 127.0.0.1 with a one-shot "cut after this request's reply" rule. */
export class CuttingProxy {
  /** The port clients connect to. */
  readonly port: number;
  /** How many client connections it accepted. */
  connections = 0;
  /** How many requests containing an armed marker passed through. */
  markedRequests = 0;
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  #pending: PendingCut | undefined;

  private constructor(server: net.Server, port: number) {
    this.#server = server;
    this.port = port;
  }

  /** Starts a proxy in front of `host:port`. */
  static start(host: string, port: number): Promise<CuttingProxy> {
    return new Promise((resolve, reject) => {
      let proxy: CuttingProxy | undefined;
      const server = net.createServer((client) => proxy?.accept(client, host, port));
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        proxy = new CuttingProxy(server, (server.address() as net.AddressInfo).port);
        resolve(proxy);
      });
    });
  }

  /**
   * Arms the cut: the next client request that contains `marker` is forwarded, and when the server's
   * reply arrives it is dropped and both sides of that connection are closed.
   * @returns a promise that resolves once the connection was cut.
   */
  cutAfterReplyTo(marker: string): Promise<void> {
    return new Promise((resolve) => {
      this.#pending = { marker: Buffer.from(marker), done: resolve };
    });
  }

  /** Closes the listener and every forwarded connection. */
  close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    return new Promise((resolve) => {
      this.#server.close(() => {
        resolve();
      });
    });
  }

  private accept(client: net.Socket, host: string, port: number): void {
    this.connections++;
    const upstream = net.connect({ host, port });
    this.#track(client);
    this.#track(upstream);
    let cut: PendingCut | undefined;
    client.on('data', (chunk: Buffer) => {
      const pending = this.#pending;
      if (pending && chunk.includes(pending.marker)) {
        this.#pending = undefined;
        this.markedRequests++;
        cut = pending;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!cut) {
        client.write(chunk);
        return;
      }
      client.destroy();
      upstream.destroy();
      cut.done();
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  #track(socket: net.Socket): void {
    this.#sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => this.#sockets.delete(socket));
  }
}
