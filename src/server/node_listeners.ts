/**
 * A node's listening sockets and the connections they accept: each
 * connection is served with the handlers of the listener it came in on.
 */
import type { ListenerConfig } from "../config/mod.ts";
import type { Listener, World } from "../io/mod.ts";
import { ClientConnection } from "./connection.ts";
import type { ApiHandler, NodeServices } from "./handler.ts";

export class NodeListeners {
  readonly #connections = new Set<ClientConnection>();
  readonly #accepting: Promise<void>[] = [];
  #nextConnectionId = 1;

  constructor(
    private readonly world: World,
    private readonly services: NodeServices,
    private readonly maxRequestBytes: number,
  ) {}

  /** Binds a listener per spec and serves every connection on it with `handlers`. */
  async serve(
    specs: readonly ListenerConfig[],
    handlers: ReadonlyMap<number, ApiHandler>,
    viaControllerListener: boolean,
  ): Promise<Listener[]> {
    const bound: Listener[] = [];
    for (const spec of specs) {
      const listener = await this.world.net.listen({ host: spec.host || "0.0.0.0", port: spec.port });
      bound.push(listener);
      this.#accepting.push(this.#accept(listener, spec.name, handlers, viaControllerListener));
    }
    return bound;
  }

  async #accept(
    listener: Listener,
    listenerName: string,
    handlers: ReadonlyMap<number, ApiHandler>,
    viaControllerListener: boolean,
  ): Promise<void> {
    while (true) {
      const connection = await listener.accept();
      if (!connection) return;
      const client = new ClientConnection(connection, {
        services: this.services,
        handlers,
        listenerName,
        viaControllerListener,
        connectionId: this.#nextConnectionId++,
        maxRequestBytes: this.maxRequestBytes,
        log: this.world.log,
      });
      this.#connections.add(client);
      client.serve().finally(() => this.#connections.delete(client));
    }
  }

  /** Closes every open connection and waits for the (closed) listeners to stop accepting. */
  async closeConnections(): Promise<void> {
    for (const client of this.#connections) client.close();
    await Promise.all(this.#accepting);
  }
}
