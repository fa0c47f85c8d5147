/** The action's entry point, the file `action.yml` runs once bundled. */
import { run } from './main.js'

// run() reports every failure through the step result and never rejects.
void run()
