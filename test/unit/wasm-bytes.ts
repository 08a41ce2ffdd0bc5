/** Hand-made module bytes for tests of big and deep code (the text parser recurses on nesting). */

export function leb(n: number): number[] {
  const o: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    o.push(b);
  } while (n);
  return o;
}
export const section = (id: number, bytes: number[]): number[] => [id, ...leb(bytes.length), ...bytes];

/**
 * A module exporting "f" of type [params] -> [i32] (value type bytes) with the given body: the
 * locals vector, the instructions and the final end.
 */
export function moduleWithBody(body: number[], params: number[] = []): Uint8Array {
  return new Uint8Array([
    0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, [1, 0x60, params.length, ...params, 1, 0x7f]),
    ...section(3, [1, 0]),
    ...section(7, [1, 1, 0x66, 0, 0]),
    ...section(10, [1, ...leb(body.length), ...body]),
  ]);
}
