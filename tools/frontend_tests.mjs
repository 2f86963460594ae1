// Bundles each frontend/test/*.test.ts with esbuild into build/frontend-test/
// and runs the bundles with Node's built-in test runner (Node >= 18.4).
//
//     npm test                 every test file
//     npm test -- similarity   the files whose names contain "similarity"

import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const testDir = path.join(root, "frontend", "test");
// One directory per run, so that runs side by side do not remove each other's bundles.
const outDir = path.join(root, "build", "frontend-test", String(process.pid));
const filters = process.argv.slice(2);

const entryPoints = existsSync(testDir)
  ? readdirSync(testDir)
      .filter((name) => name.endsWith(".test.ts"))
      .filter((name) => filters.length === 0 || filters.some((filter) => name.includes(filter)))
      .sort()
      .map((name) => path.join(testDir, name))
  : [];

if (entryPoints.length === 0) {
  console.log(`no *.test.ts files in ${testDir}${filters.length ? ` matching ${filters.join(", ")}` : ""}`);
  process.exit(filters.length ? 1 : 0);
}

await esbuild.build({
  entryPoints,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node18",
  outdir: outDir,
  outExtension: { ".js": ".mjs" },
  sourcemap: "inline",
  logLevel: "warning",
});

// File names rather than the directory: Node 18 and 20 search a directory for
// *.test.mjs, but from Node 21 on the arguments are glob patterns.
const bundles = entryPoints.map((entry) => path.join(outDir, path.basename(entry, ".ts") + ".mjs"));
const result = spawnSync(process.execPath, ["--enable-source-maps", "--test", ...bundles], { stdio: "inherit" });
rmSync(outDir, { recursive: true, force: true });
process.exit(result.status ?? 1);
