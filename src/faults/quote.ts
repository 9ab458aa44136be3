// How a value read from an untrusted file (a journal entry, a chain spec) is shown in a
// message: as JSON, so control characters show escaped, and cut short.

/** The offending value for a report line. */
export function quoteValue(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
