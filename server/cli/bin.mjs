#!/usr/bin/env -S node --max-semi-space-size=4 --max-old-space-size=1024
// The `balint` command: runs the TypeScript CLI through tsx, as `npm run balint` does. The flags on the
// first line are the CLI's Node.js flags (server/cli/node-flags.ts says why; a test keeps them equal).
import { register } from 'tsx/esm/api'

register()
await import('./main.ts')
