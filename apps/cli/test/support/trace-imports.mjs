// Preloaded with `--import` (through NODE_OPTIONS): records the URL of every
// ES module the process loads into $AUTHCTL_TRACE_FILE, one per line.
import { register } from 'node:module';

register('./trace-hooks.mjs', import.meta.url);
