/* crisisplan: Material for MkDocs' search index and search worker are loaded only when the
   reader turns to search, and the index is shipped once, as search/search_index.js.

   Listed in extra.polyfills after the iframe-worker shim, so it runs before Material's bundle
   and wraps three things the bundle uses (Material 9.8.2; see README.md):
   - Worker: the search worker (on file://, the shim's IFrameWorker) starts on demand;
   - from disk, document.head.appendChild: the bundle's <script src=".../search_index.js">
     is added to the page on demand;
   - over http, XMLHttpRequest: the bundle's request for search/search_index.json (a file
     the site no longer has) is answered on demand from search/search_index.js.
   What the wrappers do not recognise goes straight through; tests/test_search_loading.py
   tells whether a later Material still loads its search this way. */
"use strict";
(() => {
  const INDEX_JSON = /\/search\/search_index\.json$/;
  const INDEX_JS = /\/search\/search_index\.js$/;
  const WORKER = /\/workers\/search\.[^/]*\.js$/;

  const path = (url) => new URL(String(url), location.href).pathname;

  // Two moments. The index alone is wanted on a page opened from a search result (?h=words):
  // the bundle needs the index's settings to highlight the words. The whole search, index
  // and worker, is wanted once the reader turns to it.
  let wantIndex, wantSearch;
  const indexWanted = new Promise((resolve) => (wantIndex = resolve));
  const searchWanted = new Promise((resolve) => (wantSearch = resolve));
  searchWanted.then(wantIndex);
  if (new URL(location.href).searchParams.get("h")) wantIndex();

  // The reader turns to search: focus enters the search form (a click or tap in the box, or
  // the keys s, f and /, which the bundle answers by focusing the box), or the search toggle
  // changes (the header's search icon on a phone, or ?q= in the address).
  document.addEventListener("focusin", (event) => {
    if (event.target instanceof Element && event.target.closest('form[name="search"]')) {
      wantSearch();
    }
  }, true);
  document.addEventListener("change", (event) => {
    if (event.target instanceof Element && event.target.id === "__search") wantSearch();
  }, true);

  const head = document.head;
  const appendChild = head.appendChild;

  if (location.protocol === "file:") {
    // From disk the bundle adds <script src=".../search/search_index.js"> to <head> and waits
    // for its load event: the script is added once the index is wanted.
    head.appendChild = function (node) {
      if (node instanceof HTMLScriptElement && INDEX_JS.test(path(node.src))) {
        indexWanted.then(() => appendChild.call(head, node));
        return node;
      }
      return appendChild.call(this, node);
    };
  } else {
    // Over http the bundle asks for search/search_index.json with an XMLHttpRequest
    // (responseType "blob", then it waits for "load"). That request is never sent: once the
    // index is wanted, search_index.js runs and the request ends with the same JSON.
    let index = null;
    const loadIndex = (url) => {
      index ??= new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = url;
        script.addEventListener("load", () => {
          script.remove();
          resolve(window.__index);
        });
        script.addEventListener("error", reject);
        appendChild.call(head, script);
      });
      return index;
    };

    window.XMLHttpRequest = class extends window.XMLHttpRequest {
      open(method, url, ...rest) {
        this.indexScript = INDEX_JSON.test(path(url))
          ? new URL(String(url), location.href).href.replace(/\.json$/, ".js")
          : null;
        if (!this.indexScript) super.open(method, url, ...rest);
      }

      send(body) {
        if (!this.indexScript) return super.send(body);
        indexWanted.then(() => loadIndex(this.indexScript)).then(
          (data) => {
            if (this.aborted) return;
            const json = new Blob([JSON.stringify(data)], { type: "application/json" });
            Object.defineProperties(this, {
              readyState: { value: 4 },
              status: { value: 200 },
              statusText: { value: "OK" },
              response: { value: json },
            });
            this.dispatchEvent(new ProgressEvent("load"));
            this.dispatchEvent(new ProgressEvent("loadend"));
          },
          () => this.aborted || this.dispatchEvent(new ProgressEvent("error")),
        );
      }

      abort() {
        if (!this.indexScript) return super.abort();
        this.aborted = true;
      }
    };
  }

  // The bundle creates the search worker at page load and sends it the index; a stand-in
  // takes the messages and starts the worker, with them in order, once search is wanted.
  // Only Material's search worker, on a page with Material's search form (Zensical has none).
  const RealWorker = window.Worker;
  if (!RealWorker) return;

  class LazyWorker extends EventTarget {
    constructor(url, options) {
      super();
      this.queue = [];
      searchWanted.then(() => {
        if (this.terminated) return;
        this.worker = new RealWorker(url, options);
        for (const type of ["message", "messageerror", "error"]) {
          this.worker.addEventListener(type, (event) => this.relay(event));
        }
        for (const message of this.queue) this.worker.postMessage(...message);
        this.queue = null;
      });
    }

    postMessage(...message) {
      if (this.worker) this.worker.postMessage(...message);
      else this.queue.push(message);
    }

    terminate() {
      this.terminated = true;
      this.worker?.terminate();
    }

    // A copy of the worker's event for the bundle's listeners and its on<type> property.
    relay(event) {
      const copy = new event.constructor(event.type, event);
      this.dispatchEvent(copy);
      this["on" + event.type]?.call(this, copy);
      if (copy.defaultPrevented) event.preventDefault();
    }
  }

  window.Worker = function Worker(url, options) {
    if (WORKER.test(path(url)) && document.forms.namedItem("search")) {
      return new LazyWorker(url, options);
    }
    return new RealWorker(url, options);
  };
})();
