/* e-Mitra service worker (served at /sw.js, scope /).
   Pages: network first; when the network is down, the offline page (cached at install,
   fetched without cookies, so it shows nobody's data). Static files: cache first.
   Only GET requests to our own origin are handled; everything else goes to the network. */
"use strict";
var VERSION = "emitra-portal-v2";
var SHELL = VERSION + "-shell";
var STATIC = VERSION + "-static";
var OFFLINE = "/my/offline/";

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL).then(function (cache) {
      return fetch(OFFLINE, { credentials: "omit" }).then(function (response) {
        if (response.ok) { return cache.put(OFFLINE, response); }
        return undefined;
      });
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) {
        return n.indexOf(VERSION) !== 0;
      }).map(function (n) { return caches.delete(n); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "logout") {
    /* Nothing personal is cached, but drop the static cache too: the next user starts clean. */
    caches.delete(STATIC);
  }
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(
      caches.open(STATIC).then(function (cache) {
        return cache.match(request).then(function (hit) {
          return hit || fetch(request).then(function (response) {
            if (response.ok) { cache.put(request, response.clone()); }
            return response;
          });
        });
      })
    );
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(
      fetch(request).catch(function () {
        return caches.open(SHELL).then(function (cache) { return cache.match(OFFLINE); });
      })
    );
  }
});
