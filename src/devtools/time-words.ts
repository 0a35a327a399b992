/** Times and durations in words, for people reading a token's story (CLI and console). */

/** A time in seconds since the epoch, to the second, in UTC. */
export function when(seconds: number | undefined): string {
  return seconds === undefined ? '-' : `${new Date(seconds * 1000).toISOString().slice(0, 19)}Z`;
}

/** 3600 → "1h", 90 → "90s": the shortest exact form. */
export function duration(seconds: number): string {
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
  ] as const)
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  return `${seconds}s`;
}

/** "in 2h" / "3d ago", roughly, for explanations. */
export function relativeTime(seconds: number, now: number): string {
  const delta = Math.abs(seconds - now);
  if (delta <= 1) return 'just now';
  const amount =
    delta < 120 ? `${delta}s` : delta < 7200 ? `${Math.round(delta / 60)}m` : delta < 172800 ? `${Math.round(delta / 3600)}h` : `${Math.round(delta / 86400)}d`;
  return seconds >= now ? `in ${amount}` : `${amount} ago`;
}
