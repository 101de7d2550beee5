import { defineConfig } from "vite";

// Multi-page app: one HTML entry per page. The runtime settings are not baked in here: every
// page fetches /config.json at start (CloudFront serves it in AWS, the dev gateway locally).
export default defineConfig({
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    rolldownOptions: {
      input: {
        viewer: "index.html",
        host: "host.html",
      },
      output: {
        // The IVS SDK in a chunk of its own, named so: the viewer loads it lazily, and the
        // page-weight budget (bench/web_budget.py) counts it apart from the page's own code.
        codeSplitting: {
          groups: [{ name: "amazon-ivs-player", test: /node_modules[\\/](amazon-ivs-player|@babel|promise-polyfill)[\\/]/ }],
        },
      },
    },
  },
});
