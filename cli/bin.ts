#!/usr/bin/env node
// The executable: runs the CLI and sets the exit code (it never calls process.exit, so output
// written to pipes is flushed before the process ends).
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
