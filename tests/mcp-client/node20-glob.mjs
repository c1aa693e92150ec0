// The conformance package imports fs.globSync, which Node has from 22 on; Debian ships Node 20. Only its
// `tier-check` command uses it (not the server scenarios run here), so on Node 20 this load hook takes the name out of
// the package's import and defines a stand-in that throws. On Node 22 and later it does nothing.
import { register } from "node:module";

if (!(await import("node:fs")).globSync) {
  register("data:text/javascript," + encodeURIComponent(`
    export async function load(url, context, nextLoad) {
      const result = await nextLoad(url, context);
      if (!url.includes("@modelcontextprotocol/conformance/dist/")) return result;
      const source = result.source.toString()
        .replace(/^#![^\\n]*\\n/, "")
        .replace("globSync as o,", "");
      return { ...result, source: "const o = () => { throw new Error('fs.globSync needs Node 22'); };\\n" + source };
    }`));
}
