#!/usr/bin/env node
// The `balint` command: runs the TypeScript CLI through tsx, as `npm run balint` does.
import { register } from 'tsx/esm/api'

register()
await import('./main.ts')
