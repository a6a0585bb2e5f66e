// Where a subscriber (the mirror, any other follower of the log) remembers how far it got.
import type { Position } from './event-store.js';

export interface CheckpointStore {
  /** The saved position, or undefined when the subscriber never saved one (start from the beginning). */
  load(name: string): Promise<Position | undefined>;
  /** Saves the position. Never moves a checkpoint backwards: saving an older position changes nothing. */
  save(name: string, position: Position): Promise<void>;
}
