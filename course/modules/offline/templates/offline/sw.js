/* The service worker: keeps the verifier, the pocket reference and opened lessons.
 * Rendered by the server with the published edition: a new edition is a new worker,
 * which drops the lessons cached for the old one. */
const EDITION = {{ edition | tojson }};
const SHELL = "shell-" + {{ version | tojson }};
const LESSONS = "lessons-edition-" + EDITION;
const PRECACHE = {{ precache | tojson }};
// Where the app's and the verifier's files are served (/static/, /offline/static/).
const STATIC = {{ static_prefixes | tojson }};
const APP_PAGE = /^\/(kk|ru)\/(check|pocket|offline|check\/manifest\.webmanifest)$/;
const LESSON = /^\/(kk|ru)\/learn\/[a-z0-9-]+\/[a-z0-9-]+$/;
// Quizzes, the final exam and attempts, listed by the server from their routes: answers
// are checked there, so these pages are never kept and show the offline page instead.
const ONLINE_ONLY = {{ online_only | tojson }};
const under = (path, prefixes) => prefixes.some((prefix) => path.startsWith(prefix));

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n !== SHELL && n !== LESSONS).map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
  );
});

// The network first (a weak connection gets a few seconds), the kept copy otherwise.
function fromNetwork(request, cacheName, seconds) {
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error("slow")), seconds * 1000));
  return Promise.race([fetch(request), timeout]).then((response) => {
    // A redirect (to sign-in, say) is not the page asked for: never keep it under its name.
    if (response.ok && !response.redirected && cacheName) {
      const copy = response.clone();
      caches.open(cacheName).then((cache) => cache.put(request, copy));
    }
    return response;
  });
}

function offlinePage(path) {
  const lang = path.startsWith("/ru/") ? "ru" : "kk";
  return caches.match("/" + lang + "/offline");
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const path = url.pathname;
  if (request.method === "POST" && path.endsWith("/sign-out")) {
    // Lessons kept for one person must not stay for the next one on a shared phone.
    event.respondWith(caches.delete(LESSONS).then(() => fetch(request)));
    return;
  }
  if (request.method !== "GET") return;
  if (APP_PAGE.test(path) || under(path, STATIC)) {
    event.respondWith(
      fromNetwork(request, SHELL, 4).catch(() => caches.match(request, { ignoreSearch: true }))
    );
  } else if (LESSON.test(path)) {
    event.respondWith(
      fromNetwork(request, LESSONS, 6).catch(() =>
        caches.match(request).then((kept) => kept || offlinePage(path))
      )
    );
  } else if (under(path, ONLINE_ONLY) && request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => offlinePage(path)));
  }
});
