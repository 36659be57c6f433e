export interface SerialExporter {
  /** Exports now, or once more right after the export that runs. */
  request(): void;
  /** Resolves once no export runs or is asked for. */
  idle(): Promise<void>;
}
export function serialExporter(options: {
  hub: string;
  path: string;
  onError?: (error: Error) => void;
}): SerialExporter;
