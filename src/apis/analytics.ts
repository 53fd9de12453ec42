// The shape of an API's analytics columns as facts: what each one holds, in which unit, and whether it adds up.

/** One column a report can ask for. */
export interface AnalyticsColumn {
  name: string;
  /** What the value holds: a key of `AnalyticsColumns.kinds`. */
  kind: string;
  /** Whether values can be summed across rows and days (counts and amounts); rates, unique counts, ids and settings cannot. */
  adds_up: boolean;
}

/** An API's analytics columns (the `columns` its synchronous analytics operations take), for the columns resource. */
export interface AnalyticsColumns {
  /** The operations (ids) whose `columns` parameter takes exactly these. */
  operations: readonly string[];
  columns: readonly AnalyticsColumn[];
  /** What each kind means, in words for a model. */
  kinds: Readonly<Record<string, string>>;
  /** What else a reader of the columns needs to know, one sentence each. */
  notes: readonly string[];
}
