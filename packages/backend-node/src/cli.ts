#!/usr/bin/env node
import { relaunchEnvironment } from './cli/malloc-setting.js';
import { runCli } from './cli/main.js';
import { relaunch } from './cli/relaunch.js';

const args = process.argv.slice(2);
const env = relaunchEnvironment(args, process.env);
(env ? relaunch(env) : runCli(args)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`difbfsr: ${String(e)}\n`);
    process.exitCode = 1;
  },
);
