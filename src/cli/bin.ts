#!/usr/bin/env node
// The package's executable: the CLI bundle is built from this file (scripts/bundle.mjs).
import { processIo } from './io.js';
import { main } from './main.js';

// A reader that goes away (`kuberator plan … | head`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

const result = main(process.argv.slice(2), processIo());
if (typeof result === 'number') process.exitCode = result;
else void result.then((code) => (process.exitCode = code));
