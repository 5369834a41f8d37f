import { useEffect, useId, useRef } from 'react'

/**
 * A figure drawn by Observable Plot, followed by the same data as a table for screen readers and
 * anyone who prefers numbers. `make` builds the plot; it is drawn again when `make` changes and
 * removed when the figure unmounts.
 */
export function PlotFigure({ caption, make, children, note }: { caption: string; make: () => Element; note?: React.ReactNode; children: React.ReactNode }) {
  const canvas = useRef<HTMLDivElement>(null)
  const id = useId()
  useEffect(() => {
    const plot = make()
    canvas.current?.append(plot)
    return () => plot.remove()
  }, [make])
  return (
    <figure className="plot" aria-labelledby={`${id}-caption`}>
      <figcaption id={`${id}-caption`}>{caption}</figcaption>
      <div className="plot-canvas" ref={canvas} />
      {note && <p className="plot-note">{note}</p>}
      {children}
    </figure>
  )
}
