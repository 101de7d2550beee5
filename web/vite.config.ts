import { build, defineConfig, type Plugin } from "vite";

/**
 * /embed.js, the brands' one-line embed (src/embed/embed.ts): a classic script with a stable
 * name. A module script would need CORS headers from the CDN, and a hashed
 * name would change with every build, so it is built on its own as an IIFE, next to the pages.
 */
function embedScript(): Plugin {
  let root = ".";
  let outDir = "dist";
  return {
    name: "vitrine-embed-script",
    apply: "build",
    configResolved(config) {
      root = config.root;
      outDir = config.build.outDir; // relative to root, or absolute (`--outDir`)
    },
    async closeBundle() {
      await build({
        configFile: false,
        logLevel: "warn",
        root,
        build: {
          outDir,
          emptyOutDir: false,
          target: "es2019",
          minify: true,
          copyPublicDir: false,
          lib: { entry: `${root}/src/embed/embed.ts`, formats: ["iife"], name: "VitrineEmbed", fileName: () => "embed.js" },
        },
      });
    },
  };
}

// Multi-page app: one HTML entry per page. The runtime settings are not baked in here: every
// page fetches /config.json at start (CloudFront serves it in AWS, the dev gateway locally).
export default defineConfig({
  plugins: [embedScript()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    rolldownOptions: {
      input: {
        viewer: "index.html",
        host: "host.html",
        "embed-demo": "embed-demo.html",
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
