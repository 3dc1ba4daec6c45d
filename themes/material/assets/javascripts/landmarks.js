/* crisisplan: Material puts the copy button of every code block (a holding statement here) in
   a <nav> of its own, so a page with several statements had several unnamed navigation
   landmarks (axe: landmark-unique), each one more "navigation" entry for a screen-reader user
   who lists the page's landmarks. A copy button is not navigation: its wrapper is made
   presentational, whenever Material adds one (also after instant navigation). */
"use strict";
(() => {
  const mend = () => {
    for (const nav of document.querySelectorAll("nav.md-code__nav:not([role])")) {
      nav.setAttribute("role", "none");
    }
  };
  new MutationObserver(mend).observe(document.body, { childList: true, subtree: true });
  mend();
})();
