/** A 4xx our own routes answer with a page: what went wrong and what to do next. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
    readonly next?: string,
  ) {
    super(message);
    this.name = 'HttpProblem';
  }
}
