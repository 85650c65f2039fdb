// Bundles the compiled CLI (dist/src/cli/bin.js) and its dependencies into one file,
// dist/kuberator.mjs, the package's bin. One file loads much faster than hundreds of small ES
// modules, which is most of a plan's wall time. The library (dist/src) stays unbundled.
import { build } from 'esbuild';
import { chmodSync, renameSync } from 'node:fs';

const out = 'dist/kuberator.mjs';
await build({
  entryPoints: ['dist/src/cli/bin.js'],
  outfile: `${out}.tmp`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  logLevel: 'error',
  // The AWS SDK, the Kubernetes client and the ZooKeeper client are loaded from node_modules, and
  // only by the commands that call AWS, a cluster or ZooKeeper (each is imported dynamically).
  external: ['@aws-sdk/*', '@kubernetes/client-node', 'node-zookeeper-client'],
  // Bundled CommonJS dependencies (commander) call require() for Node built-ins.
  banner: { js: "import { createRequire as __kbrRequire } from 'node:module'; const require = __kbrRequire(import.meta.url);" },
});
renameSync(`${out}.tmp`, out);
chmodSync(out, 0o755);
