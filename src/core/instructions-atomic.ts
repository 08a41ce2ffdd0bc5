/**
 * Threads (0xFE) rows of the instruction table, in the format described in
 * instructions.ts: memory.atomic.notify / wait32 / wait64, atomic.fence
 * (a single reserved 0x00 byte), and the i32/i64 atomic loads, stores,
 * read-modify-write (add, sub, and, or, xor, xchg) and cmpxchg operations.
 * Atomic accesses must be naturally aligned: `/N` is the access size, and
 * the alignment immediate must equal log2(N) exactly.
 */
export const ATOMIC_TABLE = `
## atomic threads
memory.atomic.notify fe:0 memarg/4 ii:i
memory.atomic.wait32 fe:1 memarg/4 iiI:i
memory.atomic.wait64 fe:2 memarg/8 iII:i
atomic.fence fe:3 zero :
i32.atomic.load fe:16 memarg/4 i:i
i64.atomic.load fe:17 memarg/8 i:I
i32.atomic.load8_u fe:18 memarg/1 i:i
i32.atomic.load16_u fe:19 memarg/2 i:i
i64.atomic.load8_u fe:20 memarg/1 i:I
i64.atomic.load16_u fe:21 memarg/2 i:I
i64.atomic.load32_u fe:22 memarg/4 i:I
i32.atomic.store fe:23 memarg/4 ii:
i64.atomic.store fe:24 memarg/8 iI:
i32.atomic.store8 fe:25 memarg/1 ii:
i32.atomic.store16 fe:26 memarg/2 ii:
i64.atomic.store8 fe:27 memarg/1 iI:
i64.atomic.store16 fe:28 memarg/2 iI:
i64.atomic.store32 fe:29 memarg/4 iI:
i32.atomic.rmw.add fe:30 memarg/4 ii:i
i64.atomic.rmw.add fe:31 memarg/8 iI:I
i32.atomic.rmw8.add_u fe:32 memarg/1 ii:i
i32.atomic.rmw16.add_u fe:33 memarg/2 ii:i
i64.atomic.rmw8.add_u fe:34 memarg/1 iI:I
i64.atomic.rmw16.add_u fe:35 memarg/2 iI:I
i64.atomic.rmw32.add_u fe:36 memarg/4 iI:I
i32.atomic.rmw.sub fe:37 memarg/4 ii:i
i64.atomic.rmw.sub fe:38 memarg/8 iI:I
i32.atomic.rmw8.sub_u fe:39 memarg/1 ii:i
i32.atomic.rmw16.sub_u fe:40 memarg/2 ii:i
i64.atomic.rmw8.sub_u fe:41 memarg/1 iI:I
i64.atomic.rmw16.sub_u fe:42 memarg/2 iI:I
i64.atomic.rmw32.sub_u fe:43 memarg/4 iI:I
i32.atomic.rmw.and fe:44 memarg/4 ii:i
i64.atomic.rmw.and fe:45 memarg/8 iI:I
i32.atomic.rmw8.and_u fe:46 memarg/1 ii:i
i32.atomic.rmw16.and_u fe:47 memarg/2 ii:i
i64.atomic.rmw8.and_u fe:48 memarg/1 iI:I
i64.atomic.rmw16.and_u fe:49 memarg/2 iI:I
i64.atomic.rmw32.and_u fe:50 memarg/4 iI:I
i32.atomic.rmw.or fe:51 memarg/4 ii:i
i64.atomic.rmw.or fe:52 memarg/8 iI:I
i32.atomic.rmw8.or_u fe:53 memarg/1 ii:i
i32.atomic.rmw16.or_u fe:54 memarg/2 ii:i
i64.atomic.rmw8.or_u fe:55 memarg/1 iI:I
i64.atomic.rmw16.or_u fe:56 memarg/2 iI:I
i64.atomic.rmw32.or_u fe:57 memarg/4 iI:I
i32.atomic.rmw.xor fe:58 memarg/4 ii:i
i64.atomic.rmw.xor fe:59 memarg/8 iI:I
i32.atomic.rmw8.xor_u fe:60 memarg/1 ii:i
i32.atomic.rmw16.xor_u fe:61 memarg/2 ii:i
i64.atomic.rmw8.xor_u fe:62 memarg/1 iI:I
i64.atomic.rmw16.xor_u fe:63 memarg/2 iI:I
i64.atomic.rmw32.xor_u fe:64 memarg/4 iI:I
i32.atomic.rmw.xchg fe:65 memarg/4 ii:i
i64.atomic.rmw.xchg fe:66 memarg/8 iI:I
i32.atomic.rmw8.xchg_u fe:67 memarg/1 ii:i
i32.atomic.rmw16.xchg_u fe:68 memarg/2 ii:i
i64.atomic.rmw8.xchg_u fe:69 memarg/1 iI:I
i64.atomic.rmw16.xchg_u fe:70 memarg/2 iI:I
i64.atomic.rmw32.xchg_u fe:71 memarg/4 iI:I
i32.atomic.rmw.cmpxchg fe:72 memarg/4 iii:i
i64.atomic.rmw.cmpxchg fe:73 memarg/8 iII:I
i32.atomic.rmw8.cmpxchg_u fe:74 memarg/1 iii:i
i32.atomic.rmw16.cmpxchg_u fe:75 memarg/2 iii:i
i64.atomic.rmw8.cmpxchg_u fe:76 memarg/1 iII:I
i64.atomic.rmw16.cmpxchg_u fe:77 memarg/2 iII:I
i64.atomic.rmw32.cmpxchg_u fe:78 memarg/4 iII:I
`;
