// Validates glTF 2.0 assets served by a running server with the Khronos glTF-Validator, used by AssetsIT.
// Usage: node validate-gltf.mjs <url>...  Each URL is fetched (external buffers and images relative to it too) and
// one JSON line is printed per URL: {"url", "status", "errors", "warnings", "infos", "messages": [first errors]}.
// The exit code is 0 when every URL was fetched and validated with zero errors, 1 otherwise.
import { validateBytes } from "gltf-validator";

const MAX_BYTES = 16 * 1024 * 1024; // our assets are small; a runaway answer is not read to the end

async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`${url}: HTTP ${response.status}`);
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length > MAX_BYTES) {
    throw new Error(`${url}: larger than ${MAX_BYTES} bytes`);
  }
  return bytes;
}

let failed = false;
for (const url of process.argv.slice(2)) {
  try {
    const bytes = await fetchBytes(url);
    const report = await validateBytes(bytes, {
      uri: url,
      maxIssues: 50,
      externalResourceFunction: (uri) => fetchBytes(new URL(decodeURIComponent(uri), url).href),
    });
    const issues = report.issues;
    const errors = issues.messages.filter((m) => m.severity === 0).slice(0, 10);
    console.log(JSON.stringify({ url, status: "validated", errors: issues.numErrors, warnings: issues.numWarnings,
      infos: issues.numInfos, messages: errors }));
    if (issues.numErrors > 0) {
      failed = true;
    }
  } catch (e) {
    console.log(JSON.stringify({ url, status: "failed", error: String(e && e.message ? e.message : e) }));
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
