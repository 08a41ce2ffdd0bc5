import { specShard } from './harness.js';

specShard('interp', 2);
