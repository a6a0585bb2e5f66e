// Where new ids come from: random in production, seeded in tests and simulations.
export interface IdGenerator {
  newId(): string;
  /** A stable id derived from a name (an idempotency key), so a retry gets the same id. */
  idFor(name: string): string;
}
