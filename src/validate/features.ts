/**
 * Feature switches: which proposal a value type or heap type belongs to, and
 * how a partial switch set resolves (disabling a feature also disables the
 * features that build on it).
 */
import { ADDABLE, FEATURES, PROFILES, profileOf, type FeatureName, type FeatureSpec } from '../core/instructions.js';
import { EXACT_HEAP, HEAP_CONCRETE, HeapType, REF_BASE, V128, type ValType } from '../core/types.js';

export type FeatureSet = Record<FeatureName, boolean>;

/** Features that cannot be on without another: disabling the key disables its dependants. */
const DEPENDANTS: Partial<Record<FeatureName, FeatureName[]>> = {
  simd: ['relaxed-simd'],
  exceptions: ['legacy-exceptions'],
  'reference-types': ['function-references'],
  'function-references': ['gc'],
  gc: ['custom-descriptors'],
};

/**
 * The features a features option enables: with a profile, the proposals of that standard plus those of
 * ADDABLE switched on (`{ profile: '1.0', threads: true }`); else every feature; in both cases except those
 * switched off (and the features depending on them). A switch set to true for any other proposal the profile
 * lacks is a RangeError.
 */
export function resolveFeatures(spec: FeatureSpec | undefined): FeatureSet {
  const profile = profileOf(spec);
  if (profile !== null && !Object.hasOwn(PROFILES, profile)) throw new RangeError(`unknown profile '${profile}' (known: ${Object.keys(PROFILES).join(', ')})`);
  const inProfile = profile === null ? null : new Set<FeatureName>(PROFILES[profile]);
  const out = Object.fromEntries(FEATURES.map((n) => [n, inProfile === null || inProfile.has(n)])) as FeatureSet;
  if (spec === undefined || typeof spec === 'string') return out;
  const off = (n: FeatureName): void => {
    if (!out[n]) return;
    out[n] = false;
    for (const d of DEPENDANTS[n] ?? []) off(d);
  };
  for (const [k, v] of Object.entries(spec)) {
    if (k === 'profile') continue;
    if (!(FEATURES as readonly string[]).includes(k)) throw new RangeError(`unknown feature '${k}' (known: ${FEATURES.join(', ')})`);
    if (v === true && inProfile !== null && !inProfile.has(k as FeatureName)) {
      const addable = ADDABLE[profile!];
      if (!addable.includes(k as FeatureName)) {
        throw new RangeError(
          `feature '${k}' is not part of Wasm ${profile} and cannot be added to it (a profile's switches turn its proposals off or add ${addable.join(', ')})`,
        );
      }
      out[k as FeatureName] = true;
    }
    if (v === false) off(k as FeatureName);
  }
  return out;
}

/**
 * Where a type occurs: a value type (params, results, locals, globals,
 * block types, select), a table's element type (funcref tables are MVP), or
 * an element segment's type (the MVP index-list form has type (ref func)).
 */
export type TypeSite = 'value' | 'table' | 'elem';

/** The feature a heap type needs that `fs` disables, or null. */
export function disabledHeapFeature(h: number, fs: FeatureSet, site: TypeSite = 'value'): FeatureName | null {
  if (h >= EXACT_HEAP) return fs['custom-descriptors'] ? null : 'custom-descriptors';
  if (h >= HEAP_CONCRETE) return fs['function-references'] ? null : 'function-references';
  switch (h) {
    case HeapType.func:
      return site === 'value' && !fs['reference-types'] ? 'reference-types' : null;
    case HeapType.extern:
      return fs['reference-types'] ? null : 'reference-types';
    case HeapType.exn:
    case HeapType.noexn:
      return fs.exceptions ? null : 'exceptions';
    default:
      return fs.gc ? null : 'gc';
  }
}

/** The feature a value type needs that `fs` disables, or null. */
export function disabledTypeFeature(t: ValType, fs: FeatureSet, site: TypeSite = 'value'): FeatureName | null {
  if (t === V128) return fs.simd ? null : 'simd';
  if (t < REF_BASE) return null;
  const h = (t - REF_BASE) >> 1;
  const nullable = ((t - REF_BASE) & 1) === 1;
  if (!nullable && !(site === 'elem' && h === HeapType.func) && !fs['function-references']) return 'function-references';
  return disabledHeapFeature(h, fs, site);
}
