import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** Worker threads run TypeScript: they load the tsx loader, resolved from here so any cwd works. */
export function tsxImport(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}
