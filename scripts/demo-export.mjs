// Exports the running emulators' data (through the emulator hub) without overlap: `request()`
// starts an export now, or, while one runs, asks for exactly one more right after it, so a burst
// of writes costs at most one extra export. The demo calls it after each write-ahead record and
// each outcome (scripts/demo-run.mjs); the end-to-end crash scenario uses it the same way.
export function serialExporter({ hub, path, onError = (error) => console.error(error) }) {
  let running;
  let again = false;
  const exportOnce = async () => {
    const response = await fetch(`http://${hub}/_admin/export`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path, initiatedBy: 'demo' }),
    });
    if (!response.ok) throw new Error(`export answered ${response.status}`);
  };
  const loop = async () => {
    do {
      again = false;
      await exportOnce().catch((error) => onError(new Error(`export failed: ${error.message}`)));
    } while (again);
    running = undefined;
  };
  return {
    request() {
      if (running) again = true;
      else running = loop();
    },
    /** Resolves once no export runs or is asked for. */
    idle: () => running ?? Promise.resolve(),
  };
}
