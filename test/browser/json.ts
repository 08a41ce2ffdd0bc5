/**
 * JSON for what crosses between Node and the page (inputs one way, reports the other): bigints,
 * byte arrays, NaN, ±Infinity and -0 survive the trip, tagged as `{ "$": kind, "v": text }`.
 */
export function encode(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string) {
    const v = this[key]; // before toJSON, so that a Uint8Array is seen as one
    if (typeof v === 'bigint') return { $: 'bigint', v: v.toString() };
    if (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))) return { $: 'number', v: Object.is(v, -0) ? '-0' : String(v) };
    if (v instanceof Uint8Array) return { $: 'bytes', v: btoa(Array.from(v, (b) => String.fromCharCode(b)).join('')) };
    return v;
  });
}

export function decode(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || !('$' in v) || !('v' in v)) return v;
    const { $, v: s } = v as { $: string; v: string };
    if ($ === 'bigint') return BigInt(s);
    if ($ === 'number') return Number(s);
    if ($ === 'bytes') return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
    return v;
  });
}
