// Spawns worker.mjs processes (one Node process each) and talks to them by JSON lines.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const workerPath = fileURLToPath(new URL("./worker.mjs", import.meta.url));

/**
 * A worker process with `config` ({ url, prefix, mode, client, subscribe }: see worker.mjs);
 * `ask(command)` sends one command and resolves with its reply; `close()` ends it.
 */
export function worker(config) {
  const child = spawn(process.execPath, [workerPath, JSON.stringify(config)], { stdio: ["pipe", "pipe", "inherit"] });
  const replies = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = new Promise((resolve) => child.once("exit", resolve));
  let queue = Promise.resolve();
  return {
    pid: child.pid,
    ask(command) {
      const answer = queue.then(async () => {
        child.stdin.write(`${JSON.stringify(command)}\n`);
        const { value, done } = await replies.next();
        if (done) throw new Error(`worker ${child.pid} exited`);
        const reply = JSON.parse(value);
        if (reply.error) throw new Error(`worker ${child.pid}: ${reply.error}`);
        return reply;
      });
      queue = answer.catch(() => {});
      return answer;
    },
    async close() {
      child.stdin.end();
      await exited;
    },
  };
}
