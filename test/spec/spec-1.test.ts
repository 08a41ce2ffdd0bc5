import { specShard } from './harness.js';

specShard('normal', 1);
