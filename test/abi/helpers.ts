import { expect } from 'vitest';

export const text = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Runs fn, expects it to throw an instance of cls, returns the error. */
export function failure<T extends Error>(cls: abstract new (...a: any[]) => T, fn: () => unknown): T {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(cls);
    return e as T;
  }
  throw new Error(`expected ${cls.name} but nothing was thrown`);
}
