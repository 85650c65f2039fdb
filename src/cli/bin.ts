// The package's executable: the CLI bundle is built from this file (scripts/bundle.mjs).
import { processIo } from './io.js';
import { main } from './main.js';

process.exitCode = main(process.argv.slice(2), processIo());
