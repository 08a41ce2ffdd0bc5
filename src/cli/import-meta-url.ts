/**
 * `import.meta.url` in the CommonJS CLI bundle (tsup.config.ts injects this file and defines `import.meta.url` as
 * `importMetaUrl`): the bundle's own URL, as an ES module would see its own (src/spec/suite.ts finds the package
 * from it).
 */
import { pathToFileURL } from 'node:url';

export const importMetaUrl = pathToFileURL(__filename).href;
