/**
 * `make(key)` once per key, then the same value: ops made once per setting (an activation's
 * parameter, a loss's reduction and threshold) and reused, each keeping its compiled form.
 * @internal Exported for the `@backprop` packages' own ops (the losses).
 */
export function memoized<T>(make: (key: string) => T): (key: string) => T {
  const made = new Map<string, T>();
  return (key) => {
    let value = made.get(key);
    if (value === undefined) {
      value = make(key);
      made.set(key, value);
    }
    return value;
  };
}
