// Drives Parley's MCP server with the official TypeScript SDK client, as an agent would.
// Usage: node client.mjs <mcp-url> <agent-key> <steps-json>
// Steps: [{"tool": "whoami", "arguments": {}}, {"list": true}, …]; prints one JSON line per step:
// {"tools": [...]} for a list, {"result": CallToolResult} for a call, {"error": {"code", "message"}} when the call throws.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [url, key, stepsJson] = process.argv.slice(2);
const transport = new StreamableHTTPClientTransport(new URL(url), {
  requestInit: { headers: { Authorization: `Bearer ${key}` } },
});
const client = new Client({ name: "parley-test", version: "1.0.0" });
try {
  await client.connect(transport);
  console.log(JSON.stringify({ connected: true, protocol: transport.protocolVersion ?? null }));
  for (const step of JSON.parse(stepsJson)) {
    try {
      if (step.list) {
        const tools = await client.listTools();
        console.log(JSON.stringify({ tools: tools.tools.map((t) => t.name) }));
      } else {
        const result = await client.callTool({ name: step.tool, arguments: step.arguments ?? {} });
        console.log(JSON.stringify({ result }));
      }
    } catch (e) {
      console.log(JSON.stringify({ error: { code: e.code ?? null, message: String(e.message ?? e) } }));
    }
  }
} catch (e) {
  console.log(JSON.stringify({ connected: false, error: { code: e.code ?? null, message: String(e.message ?? e) } }));
} finally {
  await client.close().catch(() => {});
}
