// Starts the playground: loads the Go engine (web/whittle.wasm, built by
// scripts/build-web) and runs it; wasm/playground does the rest.
"use strict";
(async () => {
  const status = document.getElementById("status");
  try {
    const go = new Go();
    const { instance } = await WebAssembly.instantiateStreaming(fetch("web/whittle.wasm"), go.importObject);
    go.run(instance);
  } catch (err) {
    status.textContent = "The engine could not start: " + err;
  }
})();
