/* Jendela Data catalog: progressive enhancement only.
 *
 * Every page reads and downloads without this script. With it, the home page gains search over
 * search-index.json (titles, descriptions, keywords, column names and column descriptions, both
 * languages), facet filters and sorting; dataset pages gain copy buttons, and their API snippets
 * point at the address the page is actually served from. All words shown come from the page
 * (data-i18n), which takes them from metadata/translations/. No dependencies, no network beyond
 * the site itself.
 */
(function () {
  "use strict";

  function fold(text) {
    return (" " + String(text || "") + " ")
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^0-9a-z]+/g, " ");
  }

  function tokens(query) {
    return fold(query).split(" ").filter(Boolean);
  }

  // A document matches when every query word starts a word in its text.
  function hits(text, words) {
    return words.every(function (w) { return text.indexOf(" " + w) !== -1; });
  }

  function initFinder(form) {
    var list = document.getElementById("datasets");
    var status = document.getElementById("result-count");
    var input = form.querySelector("#q");
    var sort = form.querySelector("#sort");
    var i18n = JSON.parse(form.getAttribute("data-i18n"));
    var cards = Array.prototype.slice.call(list.querySelectorAll(".dataset-card"));
    var index = null;
    form.hidden = false;

    var params = new URLSearchParams(window.location.search);
    if (params.get("q")) { input.value = params.get("q"); }

    fetch(form.getAttribute("data-index"))
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (data) {
        index = {};
        data.datasets.forEach(function (d) {
          index[d.id] = {
            text: fold(d.text),
            columns: d.columns.map(function (c) {
              return { name: c.name, resource: c.resource, text: fold(c.text) };
            })
          };
        });
        update();
      })
      .catch(function () {
        status.textContent = i18n.unavailable;
      });

    function selected() {
      var chosen = {};
      form.querySelectorAll("fieldset[data-facet]").forEach(function (set) {
        var values = [];
        set.querySelectorAll("input:checked").forEach(function (box) { values.push(box.value); });
        if (values.length) { chosen[set.getAttribute("data-facet")] = values; }
      });
      return chosen;
    }

    function update() {
      var words = tokens(input.value);
      var facets = selected();
      var shown = 0;
      cards.forEach(function (card) {
        var id = card.getAttribute("data-id");
        var ok = Object.keys(facets).every(function (key) {
          var have = (card.getAttribute("data-" + key) || "").split(" ");
          return facets[key].some(function (v) { return have.indexOf(v) !== -1; });
        });
        var note = card.querySelector(".match");
        note.hidden = true;
        note.textContent = "";
        if (ok && words.length) {
          var doc = index && index[id];
          if (!doc) {
            ok = hits(fold(card.textContent), words);
          } else {
            var matched = doc.columns.filter(function (c) { return hits(c.text, words); });
            var all = doc.text + " " + doc.columns.map(function (c) { return c.text; }).join(" ");
            ok = hits(all, words);
            if (ok && matched.length) {
              note.textContent = i18n.matched + " " + matched.map(function (c) {
                return c.resource + "." + c.name;
              }).join(", ");
              note.hidden = false;
            }
          }
        }
        card.hidden = !ok;
        if (ok) { shown += 1; }
      });
      var ordered = cards.slice().sort(function (a, b) {
        if (sort.value === "title") {
          return a.getAttribute("data-title").localeCompare(b.getAttribute("data-title"));
        }
        var by = b.getAttribute("data-updated").localeCompare(a.getAttribute("data-updated"));
        return by || a.getAttribute("data-id").localeCompare(b.getAttribute("data-id"));
      });
      // Move cards only when the order changes: moving a card that is being clicked (the search
      // box fires "change" on blur, i.e. on mousedown elsewhere) would swallow the click.
      var current = Array.prototype.slice.call(list.children);
      if (ordered.some(function (card, i) { return current[i] !== card; })) {
        ordered.forEach(function (card) { list.appendChild(card); });
      }
      status.textContent = shown ? shown + " " + i18n.count : i18n.none;
    }

    form.addEventListener("input", update);
    form.addEventListener("change", update);
    form.addEventListener("submit", function (event) { event.preventDefault(); update(); });
    form.addEventListener("reset", function () { window.setTimeout(update, 0); });
    update();
  }

  function initDataset(article) {
    var i18n = JSON.parse(article.getAttribute("data-i18n"));
    var built = article.getAttribute("data-base-url");
    if (/^https?:$/.test(window.location.protocol)) {
      var actual = new URL(article.getAttribute("data-root"), window.location.href).href;
      if (actual !== built) {
        article.querySelectorAll("pre.snippet code").forEach(function (code) {
          code.textContent = code.textContent.split(built).join(actual);
        });
      }
    }
    if (!navigator.clipboard) { return; }
    article.querySelectorAll("pre.snippet").forEach(function (pre) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy";
      button.textContent = i18n.copy;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(pre.querySelector("code").textContent).then(function () {
          button.textContent = i18n.copied;
          window.setTimeout(function () { button.textContent = i18n.copy; }, 1500);
        });
      });
      pre.parentNode.insertBefore(button, pre);
    });
  }

  var form = document.getElementById("finder");
  if (form) { initFinder(form); }
  var article = document.querySelector("article.dataset[data-base-url]");
  if (article) { initDataset(article); }
})();
