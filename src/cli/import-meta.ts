/**
 * `import.meta` in the CommonJS CLI bundle (tsup.config.ts injects this file and defines `import.meta` as
 * `importMeta`): its `url` is the bundle's own, as an ES module would see its own (src/spec/suite.ts finds the
 * package from it), computed when read (a run never reads it).
 */
import { pathToFileURL } from 'node:url';

export const importMeta = {
  get url(): string {
    return pathToFileURL(__filename).href;
  },
};
