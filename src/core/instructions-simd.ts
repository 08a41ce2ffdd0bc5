/** SIMD (0xFD) rows of the instruction table, in the format described in instructions.ts. */
export const SIMD_TABLE = `
`;
