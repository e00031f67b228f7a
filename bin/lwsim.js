#!/usr/bin/env node
// lwsim is written in TypeScript and runs from source: tsx compiles each module on load (no build step).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
