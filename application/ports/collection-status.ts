// The collectors report here what they fetched or failed to fetch, per source, symbol and interval.
export interface CollectionReport {
  readonly source: string;
  readonly symbol: string;
  readonly interval?: string;
  readonly at: Date;
}

/** What the store holds after an attempt that failed part-way (a file cut short): recorded next to the error. */
export interface StoredSoFar {
  readonly observations: number;
  /** Undefined: nothing is stored. */
  readonly lastObservationAt?: number;
  readonly gaps?: readonly unknown[];
  /** The attempt stored something before it failed (then it is the last update). */
  readonly updated: boolean;
}

export interface CollectionStatusRecorder {
  succeeded(r: CollectionReport & { readonly lastObservationAt?: number; readonly observations?: number; readonly gaps?: readonly unknown[] }): Promise<void>;
  /** `stored`: what is stored now, when the failure came after some data (else the counts stay as they were). */
  failed(r: CollectionReport & { readonly error: string; readonly stored?: StoredSoFar }): Promise<void>;
}
