// The two Redis clients RedisStorage supports, connected the way an application would.
import { createClient } from "redis";
import { Redis } from "ioredis";

/** A connected node-redis client that reconnects quickly; errors are events, not crashes. */
export async function nodeRedis(url) {
  const client = createClient({ url, socket: { reconnectStrategy: (attempt) => Math.min(attempt * 20, 200) } });
  client.on("error", () => {});
  await client.connect();
  return client;
}

/** An ioredis client (connects in the background, queues commands while offline). */
export function ioRedis(url) {
  const client = new Redis(url, { retryStrategy: (attempt) => Math.min(attempt * 20, 200), maxRetriesPerRequest: 1 });
  client.on("error", () => {});
  return client;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
