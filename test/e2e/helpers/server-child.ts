/** Starts the real server from the environment (PORT, BALINT_DB …) and says "listening" on stdout. */
import { loadConfig } from '../../../server/config'
import { startServer } from '../../../server/index'

await startServer(loadConfig(process.env))
process.stdout.write('listening\n')
