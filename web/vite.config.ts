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
    },
  },
});
