// Runs scenarios of the official MCP conformance suite (@modelcontextprotocol/conformance) against Parley's /mcp.
// Usage: node conformance.mjs <mcp-url> <agent-key> <scenario>...
// The suite's client sends no credential, so it talks to a small local forwarder that adds the agent's key; a request
// from the forwarder's own origin is passed on as from the server's own origin (what a direct request would carry),
// any other Origin unchanged. Prints one JSON line per scenario: {"scenario", "exit", "output"}.
import http from "node:http";
import { fileURLToPath } from "node:url";
import { spawn } from "node:child_process";

const [target, key, ...scenarios] = process.argv.slice(2);
const server = new URL(target);
const forwarder = http.createServer((req, res) => {
  const own = `http://127.0.0.1:${forwarder.address().port}`;
  const headers = { ...req.headers, authorization: `Bearer ${key}`, host: server.host };
  if (headers.origin === own) headers.origin = server.origin;
  const upstream = http.request(new URL(req.url, server), { method: req.method, headers }, (answer) => {
    res.writeHead(answer.statusCode, answer.headers);
    answer.pipe(res);
  });
  upstream.on("error", (e) => { res.writeHead(502); res.end(String(e)); });
  req.pipe(upstream);
});
await new Promise((resolve) => forwarder.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${forwarder.address().port}${server.pathname}`;
const cli = fileURLToPath(new URL("node_modules/@modelcontextprotocol/conformance/dist/index.js", import.meta.url));
const hook = fileURLToPath(new URL("node20-glob.mjs", import.meta.url));
// The scenarios are independent: run them side by side (each its own process), each within 90 s.
const runs = await Promise.all(scenarios.map((scenario) => new Promise((resolve) => {
  const child = spawn(process.execPath, ["--import", hook, cli, "server", "--url", url, "--scenario", scenario],
    { env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" } });
  let output = "";
  const timer = setTimeout(() => { output += "\n(timed out after 90 s)"; child.kill("SIGKILL"); }, 90_000);
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  child.on("close", (exit) => { clearTimeout(timer); resolve({ scenario, exit, output }); });
})));
for (const run of runs) console.log(JSON.stringify(run));
forwarder.close();
