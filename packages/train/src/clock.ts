// The clock and the event-loop hand-back of `fitAsync`, in the forms browsers and Node share.

/** Milliseconds from a monotonic clock where there is one (browsers and Node), else the wall clock. */
export const now = (): number => (globalThis as { performance?: { now(): number } }).performance?.now() ?? Date.now();

/** Lets the event loop run: timers, I/O, signals (Ctrl-C), and a browser's rendering and input. */
export function yieldToEventLoop(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (cb: () => void) => unknown }).setImmediate;
  if (immediate) return new Promise((resolve) => void immediate(resolve));
  const Channel = (
    globalThis as unknown as {
      MessageChannel?: new () => {
        port1: { onmessage: (() => void) | null; close(): void };
        port2: { postMessage(v: unknown): void; close(): void };
      };
    }
  ).MessageChannel;
  if (Channel) {
    return new Promise((resolve) => {
      const channel = new Channel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        channel.port2.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }
  const later = (globalThis as unknown as { setTimeout: (cb: () => void, ms: number) => unknown }).setTimeout;
  return new Promise((resolve) => void later(resolve, 0));
}
