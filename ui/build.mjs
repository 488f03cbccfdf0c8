// Builds GraphDesk's window into dist/: bundles src/main.ts (with @tauri-apps/api) and copies the static files.
// dist/ is what Tauri embeds (build.frontendDist), so sources and tsconfig.json never ship inside the app.
import { build } from "esbuild";
import { cp, mkdir, rm } from "node:fs/promises";

const dist = new URL("./dist/", import.meta.url);
await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
await build({
  entryPoints: ["src/main.ts"],
  bundle: true,
  format: "iife",
  target: "es2022",
  minify: true,
  sourcemap: false,
  legalComments: "none",
  outfile: "dist/main.js",
  logLevel: "warning",
});
for (const file of ["index.html", "styles.css"]) {
  await cp(new URL(`./${file}`, import.meta.url), new URL(file, dist));
}
await cp(new URL("../icons/128x128.png", import.meta.url), new URL("icon.png", dist));
