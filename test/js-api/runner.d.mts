export interface Failure {
  name: string;
  message: string;
}
export interface FileResult {
  file: string;
  passed: number;
  failed: number;
  failures: Failure[];
}
export const packageRoot: string;
export function findJsApiRoot(): string | null;
export function listTests(root: string): string[];
export function bundleFacade(): Promise<string>;
export interface RunOptions {
  /** How long the file may take to complete (default 120 s): then it counts one failure, '(timeout)'. */
  timeoutMs?: number;
  /** More properties of the context's global object. */
  globals?: Record<string, unknown>;
}
export function runFile(root: string, file: string, facade: string | null, options?: RunOptions): Promise<FileResult>;
export function runAll(root: string, files: string[], facade: string | null): Promise<FileResult[]>;
