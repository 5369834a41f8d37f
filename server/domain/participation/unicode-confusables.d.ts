/**
 * The little of unicode-confusables that codes.ts uses. The package's own declarations are shipped
 * under a name TypeScript does not look for (index.ts.d); this declares only what we call.
 *
 * It is a CommonJS module: import its exports object as the default export.
 */
declare module 'unicode-confusables' {
  const confusables: {
    /**
     * `text` with each character replaced by its prototype in Unicode's confusables.txt (UTS #39 § 4,
     * data of Unicode 10: Cyrillic Р → P, Persian ی → Arabic ى, the digit 1 → l …), and the
     * zero-width characters U+200B–D, U+FEFF, U+2028–9 removed.
     */
    rectifyConfusion(text: string): string
  }
  export default confusables
}
