/**
 * Passwords: long enough to resist guessing; argon2id does the rest. In a file of its own, without
 * zod, so the staff pages can show the rule without bundling the validators.
 */
export const passwordRule = { minLength: 10, maxLength: 200 }
