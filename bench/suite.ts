/** One benchmark suite: a named set of figures measured in one run. */
export type Figure = number | string | boolean | null;
export type Figures = Record<string, Figure>;

export interface BenchSuite {
  /** The name given on the command line: `npm run bench -- <name>`. */
  readonly name: string;
  readonly description: string;
  /**
   * Measures and returns named figures. Progress and tables go to stderr via `log`, never to stdout:
   * with `--json` stdout carries exactly one JSON object.
   */
  run(log: (line: string) => void): Promise<Figures>;
}
