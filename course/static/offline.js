/* Installs the service worker that keeps the verifier, the pocket reference and the
   lessons opened on this device readable without a network (see /sw.js). */
if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js").catch(() => {});
  });
}
