/**
 * How checkers report a broken invariant: the first violation of a run is
 * kept (later ones are usually its consequences), and the caller throws it,
 * so that the client code that observed it stops at once.
 */

/** A broken invariant: what was expected and what was seen. */
export class InvariantViolation extends Error {
  constructor(
    /** A short name of the invariant, such as "dense offsets". */
    readonly invariant: string,
    message: string,
  ) {
    super(`${invariant}: ${message}`);
    this.name = "InvariantViolation";
  }
}

/** The violations of one run; the first is the one reported. */
export class Violations {
  #first: InvariantViolation | null = null;
  #count = 0;

  /** The first violation, or null while every invariant holds. */
  get first(): InvariantViolation | null {
    return this.#first;
  }

  /** How many violations were reported. */
  get count(): number {
    return this.#count;
  }

  /** Records a violation and returns it, for the caller to throw. */
  report(invariant: string, message: string): InvariantViolation {
    const violation = new InvariantViolation(invariant, message);
    this.#count++;
    this.#first ??= violation;
    return violation;
  }

  /** Records an error that is already a violation, or wraps any other error as one. */
  record(error: unknown, invariant = "no unexpected error"): InvariantViolation {
    const violation = error instanceof InvariantViolation ? error : new InvariantViolation(
      invariant,
      error instanceof Error ? error.stack ?? error.message : String(error),
    );
    if (!(error instanceof InvariantViolation)) this.#count++;
    this.#first ??= violation;
    return violation;
  }
}
