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
    // The drawing is one image named by the caption; its numbers are in the table that follows. Plot
    // labels its marks' <g> elements with aria-label, which ARIA does not allow on elements without a
    // role (axe: aria-prohibited-attr), and a reader would only hear "line", "dot", "rule" from them.
    for (const svg of plot instanceof SVGSVGElement ? [plot] : [...plot.querySelectorAll('svg')]) {
      svg.setAttribute('role', 'img')
      svg.setAttribute('aria-labelledby', `${id}-caption`)
      for (const labelled of svg.querySelectorAll('[aria-label]')) labelled.removeAttribute('aria-label')
      for (const described of svg.querySelectorAll('[aria-description]')) described.removeAttribute('aria-description')
    }
    canvas.current?.append(plot)
    return () => plot.remove()
  }, [make, id])
  return (
    <figure className="plot" aria-labelledby={`${id}-caption`}>
      <figcaption id={`${id}-caption`}>{caption}</figcaption>
      <div className="plot-canvas" ref={canvas} />
      {note && <p className="plot-note">{note}</p>}
      {children}
    </figure>
  )
}
