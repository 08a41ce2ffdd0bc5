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
export function runFile(root: string, file: string, facade: string | null, timeoutMs?: number): Promise<FileResult>;
export function runAll(root: string, files: string[], facade: string | null): Promise<FileResult[]>;
