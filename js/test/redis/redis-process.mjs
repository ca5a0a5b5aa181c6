// A real redis-server on 127.0.0.1 at a free port, no persistence; `stop()` kills it by the PID
// started here, `start()` brings it back on the same port, `pause()`/`resume()` hang it (SIGSTOP)
// and let it go (SIGCONT). Used by the tests (server.mjs) and the Redis benchmark (bench/js/redis.mjs).
import { spawn } from "node:child_process";
import { createServer, connect } from "node:net";

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function ping(port) {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => {
      socket.destroy();
      resolve(data.toString().startsWith("+PONG"));
    });
    socket.once("error", () => resolve(false));
  });
}

/** A redis-server on a free port, started unless `started` is false; resolves once it answers PING. */
export async function redisProcess({ started = true } = {}) {
  const port = await freePort();
  let child;
  const server = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawn(
        "redis-server",
        ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
        { stdio: ["ignore", "ignore", "inherit"] },
      );
      const exited = new Promise((resolve) => child.once("exit", resolve));
      server.exited = exited;
      for (let i = 0; i < 500; i++) {
        if (await ping(port)) return;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error(`redis-server did not answer on 127.0.0.1:${port}`);
    },
    /** Hangs the server (SIGSTOP): connections stay open, commands queue unanswered. */
    pause() {
      child.kill("SIGSTOP");
    },
    /** Lets a paused server run again (SIGCONT): it then executes what queued up, in order. */
    resume() {
      child.kill("SIGCONT");
    },
    async stop() {
      if (!child || child.exitCode !== null) return;
      child.kill("SIGKILL");
      await server.exited;
    },
  };
  if (started) await server.start();
  return server;
}
