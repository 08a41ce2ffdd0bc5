/**
 * What a script's path says about how to run it. No Node imports: the spec
 * runner uses this, and the runner runs in browsers too (dist/spec.js).
 */
import type { FeatureSpec } from '../core/instructions.js';

/**
 * The proposal a script belongs to: the folder `proposals/NAME/` the script
 * stands in (suite-relative or absolute path), or null for a core script. Only
 * the script's own folder counts, so a suite cloned below some other
 * `proposals/` folder is read right.
 */
export function proposalOf(file: string): string | null {
  const m = /(?:^|[\\/])proposals[\\/]([^\\/]+)[\\/][^\\/]+$/.exec(file);
  return m ? m[1]! : null;
}

/** Proposals whose scripts use memories with custom page sizes. */
const CUSTOM_PAGE_SIZE_PROPOSALS = new Set(['custom-page-sizes']);

/**
 * Whether a script's modules are decoded with the custom-page-sizes limits
 * flag: only in the proposals that need it. Core scripts (and the other
 * proposals) expect that flag to be malformed (binary.wast).
 */
export function needsCustomPageSizes(file: string): boolean {
  const p = proposalOf(file);
  return p !== null && CUSTOM_PAGE_SIZE_PROPOSALS.has(p);
}

/**
 * Whether a script's modules are validated with the custom-descriptors proposal: only its own scripts. The
 * proposal relaxes a Wasm 3.0 rule the core suite tests (br_on_cast's target type need only share the source
 * type's hierarchy, not be its subtype), so the other scripts run with it off.
 */
export function needsCustomDescriptors(file: string): boolean {
  return proposalOf(file) === 'custom-descriptors';
}

/**
 * The features a proposal's scripts are written for, where they are not Wasm 3.0 plus extensions. The threads
 * proposal's scripts are written on top of Wasm 1.0: they expect a second memory or table to be invalid
 * ("multiple memories", "multiple tables") and limits beyond 32 bits to be malformed text ("i32 constant out of
 * range"), so they run under Wasm 1.0 with threads added.
 */
const PROPOSAL_FEATURES: Readonly<Record<string, FeatureSpec>> = {
  threads: { profile: '1.0', threads: true },
};

/** The features option a script runs under when the runner is given none (PROPOSAL_FEATURES), or undefined. */
export function featuresFor(file: string): FeatureSpec | undefined {
  const p = proposalOf(file);
  return p !== null && Object.hasOwn(PROPOSAL_FEATURES, p) ? PROPOSAL_FEATURES[p] : undefined;
}
