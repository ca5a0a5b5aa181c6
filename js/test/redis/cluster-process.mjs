// A real 3-master Redis Cluster on 127.0.0.1 (no replicas, no persistence): three
// `redis-server --cluster-enabled yes` processes joined by `redis-cli --cluster create`. Each node
// keeps its cluster config in a temporary directory, so `stopNode(i)` (SIGKILL by the PID started
// here) and `startNode(i)` bring a master back with its identity and slots (and no data).
// `cluster-require-full-coverage no`: while one master is down the others keep serving their
// slots. Used by cluster.test.mjs and the Redis benchmark (bench/js/redis.mjs).
import { spawn, execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createServer, connect } from "node:net";

const run = promisify(execFile);

async function freePort() {
  // A cluster node also listens on port + 10000 (its bus): both must be free.
  for (;;) {
    const server = createServer();
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address();
    await new Promise((resolve) => server.close(resolve));
    if (port + 10000 > 65535) continue;
    const bus = createServer();
    const free = await new Promise((resolve) => {
      bus.once("error", () => resolve(false));
      bus.listen(port + 10000, "127.0.0.1", () => resolve(true));
    });
    if (free) {
      await new Promise((resolve) => bus.close(resolve));
      return port;
    }
  }
}

/** One command over a raw socket (inline protocol); resolves with the reply's text, or "" on error. */
function ask(port, command) {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let text = "";
    socket.once("connect", () => socket.write(`${command}\r\n`));
    socket.on("data", (data) => {
      text += data.toString();
      // A bulk reply: "$len\r\n…\r\n"; a simple one: "+…\r\n" / "-…\r\n".
      const bulk = /^\$(\d+)\r\n/.exec(text);
      if ((bulk && text.length >= bulk[0].length + Number(bulk[1]) + 2) || (!bulk && text.endsWith("\r\n") && text[0] !== "$")) {
        socket.destroy();
        resolve(text);
      }
    });
    socket.once("error", () => resolve(""));
  });
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a 3-master cluster; resolves once every node reports `cluster_state:ok`. */
export async function redisCluster() {
  const dir = mkdtempSync(join(tmpdir(), "cashier-cluster-"));
  const ports = [];
  for (let i = 0; i < 3; i++) ports.push(await freePort());
  const children = [];
  const nodes = ports.map((port) => ({ host: "127.0.0.1", port }));

  async function startNode(i) {
    const port = ports[i];
    const child = spawn(
      "redis-server",
      [
        "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
        "--cluster-enabled", "yes", "--cluster-config-file", join(dir, `nodes-${port}.conf`),
        "--cluster-node-timeout", "2000", "--cluster-require-full-coverage", "no", "--dir", dir,
      ],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    children[i] = { child, exited: new Promise((resolve) => child.once("exit", resolve)) };
    for (let n = 0; n < 500; n++) {
      if ((await ask(port, "PING")).startsWith("+PONG")) return;
      await pause(10);
    }
    throw new Error(`redis-server did not answer on 127.0.0.1:${port}`);
  }

  /** Whether every running node says the cluster is ok. */
  async function ok() {
    for (let i = 0; i < 3; i++) {
      if (children[i].child.exitCode !== null) continue;
      if (!(await ask(ports[i], "CLUSTER INFO")).includes("cluster_state:ok")) return false;
    }
    return true;
  }

  async function waitOk() {
    for (let n = 0; n < 1000; n++) {
      if (await ok()) return;
      await pause(20);
    }
    throw new Error("the cluster did not reach cluster_state:ok");
  }

  const cluster = {
    ports,
    nodes,
    /** Starts node `i` again with its cluster config (same identity and slots, no data); waits for the cluster to be ok. */
    async startNode(i) {
      await startNode(i);
      await waitOk();
    },
    /** Kills node `i` (SIGKILL by the PID started here). */
    async stopNode(i) {
      const { child, exited } = children[i];
      if (child.exitCode !== null) return;
      child.kill("SIGKILL");
      await exited;
    },
    /** The index of the master serving Redis key `key`'s slot. */
    async nodeOf(key) {
      const slot = Number(/:(\d+)/.exec(await ask(ports[0], `CLUSTER KEYSLOT ${key}`))?.[1]);
      for (let i = 0; i < 3; i++) {
        const reply = await ask(ports[i], "CLUSTER NODES");
        const mine = reply.split("\n").find((line) => line.includes("myself"));
        for (const range of mine?.split(" ").slice(8) ?? []) {
          const [from, to = from] = range.split("-").map(Number);
          if (slot >= from && slot <= to) return i;
        }
      }
      throw new Error(`no node serves the slot of ${key}`);
    },
    async stop() {
      await Promise.all([0, 1, 2].map((i) => cluster.stopNode(i)));
      rmSync(dir, { recursive: true, force: true });
    },
  };

  for (let i = 0; i < 3; i++) await startNode(i);
  await run("redis-cli", ["--cluster", "create", ...ports.map((p) => `127.0.0.1:${p}`), "--cluster-replicas", "0", "--cluster-yes"]);
  await waitOk();
  return cluster;
}
