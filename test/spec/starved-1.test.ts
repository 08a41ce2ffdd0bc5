import { specShard } from './harness.js';

specShard('starved', 1);
