// The collectors report here what they fetched or failed to fetch, per source, symbol and interval.
export interface CollectionReport {
  readonly source: string;
  readonly symbol: string;
  readonly interval?: string;
  readonly at: Date;
}

export interface CollectionStatusRecorder {
  succeeded(r: CollectionReport & { readonly lastObservationAt?: number; readonly observations?: number; readonly gaps?: readonly unknown[] }): Promise<void>;
  failed(r: CollectionReport & { readonly error: string }): Promise<void>;
}
