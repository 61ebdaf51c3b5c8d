/** A fleet operation named an instance the fleet does not have, or a target set that selects none. */
export class FleetError extends Error {
  override readonly name = 'FleetError';
  constructor(
    readonly code: 'unknown-instance' | 'bad-targets',
    message: string,
  ) {
    super(message);
  }
}
