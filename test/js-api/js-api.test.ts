// The JS API test files other than limits.any.js (test/js-api/harness.ts).
import { LIMITS, jsApiTests } from './harness.js';

jsApiTests('WebAssembly JS API tests (facade)', (file) => file !== LIMITS);
