// A real redis-server for the tests (see redis-process.mjs), stopped when the test file ends.
import { after } from "node:test";
import { redisProcess } from "./redis-process.mjs";

/** A redis-server on a free 127.0.0.1 port, started unless `started` is false; stopped after the file's tests. */
export async function redisServer(options) {
  const server = await redisProcess(options);
  after(() => server.stop());
  return server;
}
