/**
 * The Node.js flags the `balint` CLI runs with: in its bin's first line (`server/cli/bin.mjs`, through
 * `env -S`) and in `npm run balint` (package.json). They cannot be set once the process runs, so they
 * are written in both, and `test/server/cli/node-flags.test.ts` checks that both say this list.
 *
 * `--max-semi-space-size=4` (MiB): V8's young generation is by default two semi-spaces of 16 MiB, which
 * a long import fills (it allocates some 2 GB of short-lived objects at 10,000 participants) and keeps,
 * and a larger young generation also promotes more to the old one. With 4 MiB the import of the
 * 20,000-participant synthetic study peaked at 225–230 MiB instead of 264–265 MiB (whole process,
 * `/usr/bin/time`), and ran no slower (issue 16).
 *
 * `--max-old-space-size=1024` (MiB): V8 lets its old generation grow before collecting it by a margin
 * it takes from this limit, by default a quarter of the machine's memory up to 4 GiB. The import
 * keeps little (about 50 MiB at 20,000 participants), but under the default limit V8 let the heap
 * reach 112 MiB before collecting. With 1 GiB it stays near 50 MiB: the 10k import peaked at
 * 176–178 MiB against 230–235 MiB (its CSV parser on a thread of its own, whose isolate adds some
 * 20 MiB), about 3 % slower (issue 16, 2026-12-02; 2048 behaved as the default). 1 GiB is some nine
 * times what the CLI's largest work holds: the cohort report of 20,000 participants, 110 MiB of heap.
 *
 * The server (`npm start`) is left as it is: nothing there imports, and its saves were measured
 * without them.
 */
export const cliNodeFlags = ['--max-semi-space-size=4', '--max-old-space-size=1024'] as const
