import type { ClientRequestArgs } from "node:http";
import { type Client, createClient } from "graphql-ws";
import WebSocket from "ws";
import type { GraphQLAnswer } from "./server";

export interface ClosedSocket {
  code: number;
  reason: string;
}

/** How the client sends its token: connectionParams (what browsers can do) or the upgrade's Authorization header. */
export type TokenPlace = "connectionParams" | "header";

/** A real graphql-ws client on `ws` for the server at `serverUrl`, never reconnecting (a refusal stays visible). */
export function subscriptionClient(serverUrl: string, token: string | null, place: TokenPlace = "connectionParams"): Client {
  const authorization = token ? `Bearer ${token}` : null;
  const headers = place === "header" && authorization ? { authorization } : {};
  class WebSocketWithHeaders extends WebSocket {
    constructor(url: string, protocols?: string | string[], options?: ClientRequestArgs) {
      super(url, protocols, { ...options, headers: { ...options?.headers, ...headers } });
    }
  }
  return createClient({
    url: `${serverUrl.replace(/^http/, "ws")}/graphql`,
    webSocketImpl: WebSocketWithHeaders,
    connectionParams: place === "connectionParams" && authorization ? { authorization } : undefined,
    retryAttempts: 0,
  });
}

/** What one subscription received, in order. */
export interface Recording<T> {
  events: T[];
  /** GraphQL errors sent on `next` or `error`. */
  errors: GraphQLAnswer["errors"] & object;
  /** Set when the socket closed under the subscription. */
  closed: ClosedSocket | null;
  /** Resolves once `done(events)` holds; rejects after `timeoutMs` with what arrived. */
  until(done: (events: T[]) => boolean, timeoutMs?: number): Promise<T[]>;
  stop(): void;
}

/** Subscribes and records the `field` of every event. */
export function record<T>(client: Client, query: string, variables: Record<string, unknown>, field: string): Recording<T> {
  const recording: Recording<T> = {
    events: [],
    errors: [],
    closed: null,
    async until(done, timeoutMs = 45_000) {
      const deadline = Date.now() + timeoutMs;
      while (!done(recording.events)) {
        if (recording.errors.length > 0 || recording.closed) {
          throw new Error(`the subscription ended: ${JSON.stringify({ errors: recording.errors, closed: recording.closed })}`);
        }
        if (Date.now() > deadline) throw new Error(`timed out; received ${JSON.stringify(recording.events)}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return recording.events;
    },
    stop: () => unsubscribe(),
  };
  const unsubscribe = client.subscribe<Record<string, T>>(
    { query, variables },
    {
      next(result) {
        if (result.errors) recording.errors.push(...(result.errors as never[]));
        if (result.data) recording.events.push(result.data[field]);
      },
      error(error) {
        if (Array.isArray(error)) recording.errors.push(...error);
        else recording.closed = closeOf(error);
      },
      complete() {},
    },
  );
  return recording;
}

function closeOf(error: unknown): ClosedSocket {
  const event = error as Partial<ClosedSocket>;
  return typeof event?.code === "number" ? { code: event.code, reason: String(event.reason ?? "") } : { code: -1, reason: String(error) };
}

/**
 * The first answer of one subscription of `field`: its first event, its errors, or a socket closed
 * with 4401 as the answer the HTTP API gives without a valid token. The client is disposed.
 */
export async function firstAnswer(serverUrl: string, token: string | null, query: string, variables: Record<string, unknown>, field: string): Promise<GraphQLAnswer> {
  const client = subscriptionClient(serverUrl, token);
  try {
    const recording = record<unknown>(client, query, variables, field);
    const deadline = Date.now() + 15_000;
    while (recording.events.length === 0 && recording.errors.length === 0 && !recording.closed) {
      if (Date.now() > deadline) throw new Error("the subscription answered nothing");
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    if (recording.closed?.code === 4401) {
      return { status: 401, errors: [{ message: recording.closed.reason, extensions: { code: "UNAUTHENTICATED" } }] };
    }
    if (recording.closed) throw new Error(`the socket closed: ${JSON.stringify(recording.closed)}`);
    return { status: 200, data: recording.events.length > 0 ? { [field]: recording.events[0] } : null, errors: recording.errors.length > 0 ? recording.errors : undefined };
  } finally {
    await client.dispose();
  }
}

/** Statuses in order, a repeated status once (an event is the row as read after a change: two quick changes may read alike). */
export const statusesOf = (events: Array<{ status: string }>): string[] =>
  events.map((e) => e.status).filter((status, i, all) => i === 0 || all[i - 1] !== status);
