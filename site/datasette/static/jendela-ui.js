/* The page's language (Bahasa Indonesia unless the reader chose English) in Datasette's own menus
 * and dialogs.
 *
 * Datasette's table scripts (table.js, column-chooser.js, mobile-column-actions.js) write their
 * column menus, the column chooser and the filter buttons in English. Rather than copy and edit
 * those files, this rewrites their texts as they appear, from the `js_*` keys of
 * site/datasette/translations.yaml (window.JENDELA_UI_STRINGS, set by our plugin). It only touches
 * Datasette's menus, dialogs and buttons (SCOPE), never table cells, so data is shown as stored.
 */
(function () {
  "use strict";
  var strings = window.JENDELA_UI_STRINGS;
  if (!strings || !window.MutationObserver) {
    return;
  }
  var SCOPE = ".dropdown-menu, dialog, .filter-row-icon, .count-all, .count-error, .table-count";
  var EN_GROUPED = /^\d{1,3}(,\d{3})+$/;
  var ATTRIBUTES = ["title", "aria-label"];
  var patterns = strings.patterns.map(function (p) {
    return { re: new RegExp(p.source), text: p.text, indonesian: p.indonesian };
  });
  // The text each node was last given: our own rewrite must not be rewritten again.
  var seen = new WeakMap();

  function fill(template, groups, indonesian) {
    return template.replace(/\{(\w+)\}/g, function (_, name) {
      var value = groups[name];
      // Datasette writes counts as 1,234,567; Indonesian groups digits with dots.
      return indonesian && EN_GROUPED.test(value) ? value.replace(/,/g, ".") : value;
    });
  }

  function translated(text) {
    var trimmed = text.trim();
    if (!trimmed) {
      return null;
    }
    if (Object.prototype.hasOwnProperty.call(strings.exact, trimmed)) {
      return text.replace(trimmed, strings.exact[trimmed]);
    }
    for (var i = 0; i < patterns.length; i++) {
      var match = patterns[i].re.exec(trimmed);
      if (match) {
        var groups = match.groups || {};
        return text.replace(trimmed, fill(patterns[i].text, groups, patterns[i].indonesian));
      }
    }
    return null;
  }

  function inScope(element) {
    return element && element.closest(SCOPE) !== null;
  }

  function translateText(node) {
    if (seen.get(node) === node.data || !inScope(node.parentElement)) {
      return;
    }
    var result = translated(node.data);
    if (result !== null) {
      node.data = result;
    }
    seen.set(node, node.data);
  }

  function translateAttributes(element) {
    if (!inScope(element)) {
      return;
    }
    ATTRIBUTES.forEach(function (name) {
      var value = element.getAttribute(name);
      var result = value ? translated(value) : null;
      if (result !== null) {
        element.setAttribute(name, result);
      }
    });
  }

  function translateTree(root) {
    if (root.nodeType === Node.TEXT_NODE) {
      translateText(root);
      return;
    }
    if (root.nodeType !== Node.ELEMENT_NODE) {
      return;
    }
    translateAttributes(root);
    root.querySelectorAll("[title], [aria-label]").forEach(translateAttributes);
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      translateText(walker.currentNode);
    }
  }

  new MutationObserver(function (mutations) {
    mutations.forEach(function (mutation) {
      if (mutation.type === "characterData") {
        translateText(mutation.target);
      } else {
        mutation.addedNodes.forEach(translateTree);
      }
    });
  }).observe(document.documentElement, { childList: true, subtree: true, characterData: true });
  // Datasette's template calls openColumnChooser() from an onclick attribute, which the
  // Content-Security-Policy refuses (pipelines/web/security_headers.py): our table.html drops the
  // attribute and the button is wired here instead.
  document.querySelectorAll(".choose-columns-mobile").forEach((button) => {
    button.addEventListener("click", () => window.openColumnChooser && window.openColumnChooser());
  });
  translateTree(document.body);
})();
