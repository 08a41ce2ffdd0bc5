/**
 * Installs the text format and the encoder behind `Module.fromWat` and `module.bytes` (runtime/module.ts). The
 * package entry imports this module; the CLI's `run` does not, and imports the text parser only for a text file.
 */
import { encodeModule } from '../encoder/encode.js';
import { watToBinary } from '../text/wat.js';
import { installText } from './module.js';

installText({ watToBinary, encodeModule });
