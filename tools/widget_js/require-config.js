// Loaded before require.js on every page with widgets (see _config.yml).
// require.js reads a global `require` object defined before it loads as its
// configuration.  The modules bundled in embed-amd.js (@jupyter-widgets/base,
// controls, html-manager, ...) find their Font Awesome fonts relative to the URL
// of their own AMD module id; by default require.js resolves those ids under
// the page's folder, where there are no fonts.  Map them to the folder this
// script was served from, _vendor/, where build_book.py put the fonts.
var require = (function () {
  var vendor = new URL(".", document.currentScript.src).href.replace(/\/$/, "");
  return {
    paths: {
      "@jupyter-widgets": vendor,
      "@jupyter-widgets/html-manager/dist": vendor,
    },
  };
})();
