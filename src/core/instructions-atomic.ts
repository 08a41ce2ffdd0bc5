/** Threads (0xFE) rows of the instruction table, in the format described in instructions.ts. */
export const ATOMIC_TABLE = `
`;
