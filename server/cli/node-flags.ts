/**
 * The Node.js flags the `balint` CLI runs with: in its bin's first line (`server/cli/bin.mjs`, through
 * `env -S`) and in `npm run balint` (package.json). They cannot be set once the process runs, so they
 * are written in both, and `test/server/cli/node-flags.test.ts` checks that both say this list.
 *
 * `--max-semi-space-size=4` (MiB): V8's young generation is by default two semi-spaces of 16 MiB, which
 * a long import fills (it allocates some 2 GB of short-lived objects at 10,000 participants) and keeps,
 * and a larger young generation also promotes more to the old one. With 4 MiB the import of the
 * 20,000-participant synthetic study peaked at 225–230 MiB instead of 264–265 MiB (whole process,
 * `/usr/bin/time`), and ran no slower (issue 16). The server (`npm start`) is left as it is: nothing
 * there imports, and its saves were measured without it.
 */
export const cliNodeFlags = ['--max-semi-space-size=4'] as const
