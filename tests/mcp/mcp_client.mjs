// tests/mcp/mcp_client.mjs TOOLS_DIR URL CALLS_JSON OUT_JSON
//
// Drives cordon's /-/mcp with the official MCP TypeScript SDK (its Client
// over StreamableHTTPClientTransport, installed pinned by
// scripts/test-tools.sh), the way an agent's host does: initialize, list
// the tools, call each one. The SDK itself checks every structured result
// against the tool's outputSchema, so a call whose result does not match
// its schema fails here.
//
// CALLS_JSON is [{"name": TOOL, "arguments": {...}}, ...]; OUT_JSON gets
// {"server": serverInfo, "protocol": negotiated revision, "session": id,
//  "tools": [tools/list entries], "calls": [results, in order],
//  "ping": result}. A call that throws is recorded as {"thrown": message}.
// Exits 1 when the connection itself fails.
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [toolsDir, url, callsPath, outPath] = process.argv.slice(2);
const sdk = `${toolsDir}/node_modules/@modelcontextprotocol/sdk/dist/esm`;
const { Client } = await import(pathToFileURL(`${sdk}/client/index.js`).href);
const { StreamableHTTPClientTransport } = await import(pathToFileURL(`${sdk}/client/streamableHttp.js`).href);

const calls = JSON.parse(readFileSync(callsPath, "utf8"));
const client = new Client({ name: "cordon-test-agent", version: "1.0.0" });
const transport = new StreamableHTTPClientTransport(new URL(url));
const out = { calls: [] };
try {
  await client.connect(transport);
} catch (e) {
  console.error(`mcp_client: connect failed: ${e.stack || e}`);
  process.exit(1);
}
out.server = client.getServerVersion();
out.protocol = transport.protocolVersion ?? null;
out.session = transport.sessionId ?? null;
out.instructions = client.getInstructions() ?? null;
out.ping = await client.ping();
out.tools = (await client.listTools()).tools;
for (const c of calls) {
  try {
    out.calls.push(await client.callTool({ name: c.name, arguments: c.arguments }));
  } catch (e) {
    out.calls.push({ thrown: String(e && e.message ? e.message : e) });
  }
}
await transport.terminateSession();
await client.close();
writeFileSync(outPath, JSON.stringify(out, null, 1));
