/* crisisplan --protect: the search of a protected handbook.

   Its search index holds no entry in clear: config.encrypted maps the id of each page key
   to its entries, encrypted with that key (AES-256-CBC, "iv;ciphertext" in base64, written
   by crisisplan/protect.py). The page's own decryption (decrypt-contents.js) keeps the keys
   in sessionStorage and then dispatches "encryptcontent_event"; the entries are decrypted
   here with them, in the page, before Material's search worker gets the index.

   Listed in extra.polyfills after search-on-demand.js, so it runs before Material's bundle
   and wraps the search worker it creates: the worker's first message (type 0, the index)
   waits until the keys are known and goes with the decrypted entries; every later message
   (the queries) waits behind it. Nothing is loaded earlier than without protection: the
   index still comes only when the reader turns to search. */
"use strict";
(() => {
  const WORKER = /\/workers\/search\.[^/]*\.js$/;
  const SETUP = 0;
  const KEY_EVENT = "encryptcontent_event";

  const path = (url) => new URL(String(url), location.href).pathname;
  const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  const fromHex = (text) => new Uint8Array(text.match(/../g).map((b) => parseInt(b, 16)));

  async function decrypt(keyHex, bundle) {
    const [iv, data] = bundle.split(";");
    const key = await crypto.subtle.importKey("raw", fromHex(keyHex), "AES-CBC", false, [
      "decrypt",
    ]);
    const plain = await crypto.subtle.decrypt(
      { name: "AES-CBC", iv: fromBase64(iv) }, key, fromBase64(data),
    );
    return JSON.parse(new TextDecoder().decode(plain));
  }

  // The next time a page is decrypted (a passphrase typed, or a key remembered).
  const nextKey = () =>
    new Promise((resolve) => window.addEventListener(KEY_EVENT, resolve, { once: true }));

  // The entries of one key: with the key remembered, at once; otherwise (or when the key
  // remembered is another handbook's) once a passphrase has opened the page.
  async function entries(id, bundle) {
    for (;;) {
      const key = sessionStorage.getItem(id);
      if (key) {
        try {
          return await decrypt(key, bundle);
        } catch {
          // not this handbook's key: wait for the right one
        }
      }
      await nextKey();
    }
  }

  async function withEntries(message) {
    const { encrypted, ...config } = message.data.config;
    if (!encrypted) return message;
    const docs = [...message.data.docs];
    for (const [id, bundle] of Object.entries(encrypted)) docs.push(...(await entries(id, bundle)));
    return { ...message, data: { ...message.data, config, docs } };
  }

  const Previous = window.Worker;
  if (!Previous) return;
  window.Worker = function Worker(url, options) {
    const worker = new Previous(url, options);
    if (!WORKER.test(path(url))) return worker;
    const post = worker.postMessage.bind(worker);
    let queue = Promise.resolve();
    worker.postMessage = (message, ...rest) => {
      queue = queue
        .then(() => (message && message.type === SETUP ? withEntries(message) : message))
        .then((ready) => post(ready, ...rest))
        .catch((error) => console.error("crisisplan: the search index:", error));
    };
    return worker;
  };
})();
