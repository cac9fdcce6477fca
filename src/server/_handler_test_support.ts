/**
 * Small fakes for handler tests: a test gives only the parts of
 * `NodeServices` its handler uses, as plain objects with only the members it
 * needs; touching anything else throws, naming what was missing, so a test
 * shows exactly what a handler depends on.
 */
import type { NodeServices, RequestContext } from "./handler.ts";

type Parts = { [K in keyof NodeServices]?: Partial<NodeServices[K]> };

function strict<T extends object>(name: string, part: T): T {
  return new Proxy(part, {
    get(target, property) {
      if (typeof property === "symbol" || property in target) {
        // Read on the target itself, and bind methods to it, so that a class instance given as a part keeps
        // its private fields working.
        const value = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      }
      if (property === "then") return undefined;
      throw new Error(`the fake ${name} has no ${String(property)}`);
    },
  });
}

/** Services made of the given parts; any other part, or member, throws when used. */
export function fakeServices(parts: Parts): NodeServices {
  const present = parts as Record<string, object>;
  return new Proxy({} as NodeServices, {
    get(_target, property) {
      if (typeof property === "symbol") return undefined;
      const part = present[property];
      if (part === undefined) throw new Error(`the fake services have no ${property}`);
      return strict(property, part);
    },
  });
}

/** A request context for `apiKey` at `version` over the given services. */
export function fakeContext(
  apiKey: number,
  version: number,
  services: NodeServices,
  options: Partial<RequestContext> = {},
): RequestContext {
  return {
    header: { apiKey, apiVersion: version, correlationId: 1, clientId: "test" },
    version,
    services,
    connectionId: 1,
    requestBytes: 0,
    clientAddress: "127.0.0.1:50000",
    listenerName: "PLAINTEXT",
    viaControllerListener: false,
    handlers: new Map(),
    ...options,
  };
}
