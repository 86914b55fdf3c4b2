// Preloaded with `--import` (through NODE_OPTIONS): records into
// $AUTHCTL_TRACE_FILE, one per line, the URL of every ES module the process
// loads (through the hooks) and of every CommonJS `require` (`node:NAME` for
// builtins): the CLI's entry is a CommonJS bundle, the program an ES module.
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';
import { pathToFileURL } from 'node:url';

register('./trace-hooks.mjs', import.meta.url);

const load = Module._load;
Module._load = function traced(request, parent, isMain) {
  let where = request;
  try {
    where = Module.isBuiltin(request) ? `node:${request.replace(/^node:/, '')}` : pathToFileURL(Module._resolveFilename(request, parent, isMain)).href;
  } catch {
    // Unresolvable: the load below reports it; the trace keeps the request.
  }
  appendFileSync(process.env.AUTHCTL_TRACE_FILE, `${where}\n`);
  return load.apply(this, arguments);
};
