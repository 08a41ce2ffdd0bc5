// limits.any.js, alone in its test file so that it runs beside the other JS API files (test/js-api/harness.ts).
import { LIMITS, jsApiTests } from './harness.js';

jsApiTests('WebAssembly JS API tests (facade): implementation limits', (file) => file === LIMITS);
