/**
 * How long the event loop was held: the longest wait between ticks of a 10 ms interval, from the
 * call until `stop()`, in milliseconds (a participant's save waits at least that long meanwhile).
 *
 * @example
 * const watch = eventLoopWatch()
 * await importLargeProject()
 * watch.stop() // => 480
 */
export function eventLoopWatch(): { stop: () => number } {
  let last = performance.now()
  let longest = 0
  const note = () => {
    const now = performance.now()
    longest = Math.max(longest, now - last)
    last = now
  }
  const tick = setInterval(note, 10)
  return {
    stop: () => {
      clearInterval(tick)
      note()
      return longest
    },
  }
}
