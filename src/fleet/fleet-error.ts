/** A fleet operation named an instance the fleet does not have, two instances share an id, or targets are wrong. */
export class FleetError extends Error {
  override readonly name = 'FleetError';
  constructor(
    readonly code: 'unknown-instance' | 'duplicate-instance' | 'bad-targets',
    message: string,
  ) {
    super(message);
  }
}
