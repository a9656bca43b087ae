#!/usr/bin/env node
// The `logbench` executable; cli/main.ts only defines the program, so importing it runs nothing.
import { main } from './main.js';

process.exitCode = await main(process.argv);
