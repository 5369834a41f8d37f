/**
 * Print one part of the page: `bodyClass` is set on <body> while the browser prints, and the
 * stylesheet (`body.print-links`, `body.print-letters` in staff.css) hides everything else then.
 *
 * @example
 * <button onClick={() => printOnly('print-letters')}>Print</button>
 */
export function printOnly(bodyClass: string): void {
  document.body.classList.add(bodyClass)
  window.addEventListener('afterprint', () => document.body.classList.remove(bodyClass), { once: true })
  window.print()
}
