// Bundles each frontend/test/*.test.ts with esbuild into build/frontend-test/
// and runs the bundles with Node's built-in test runner (Node >= 18.4).
//
//     npm test

import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const testDir = path.join(root, "frontend", "test");
const outDir = path.join(root, "build", "frontend-test");

const entryPoints = existsSync(testDir)
  ? readdirSync(testDir)
      .filter((name) => name.endsWith(".test.ts"))
      .sort()
      .map((name) => path.join(testDir, name))
  : [];

// Bundles of tests that were renamed or removed must not run.
rmSync(outDir, { recursive: true, force: true });
if (entryPoints.length === 0) {
  console.log(`no *.test.ts files in ${testDir}`);
  process.exit(0);
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
process.exit(result.status ?? 1);
