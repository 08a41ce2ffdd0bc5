/** Results across processes (hops.ts, child.ts). */

/** JSON for results: exact floats and bigints. */
export function encodeResults(rs: unknown[]): string {
  return JSON.stringify(rs.map((v) => (typeof v === 'bigint' ? { b: v.toString() } : typeof v === 'number' ? { n: Buffer.from(new Float64Array([v]).buffer).toString('hex') } : v)));
}
export function decodeResults(s: string): unknown[] {
  return (JSON.parse(s) as { b?: string; n?: string }[]).map((v) => (v.b !== undefined ? BigInt(v.b) : new Float64Array(new Uint8Array(Buffer.from(v.n!, 'hex')).buffer)[0]));
}
