/* Jendela Data catalog: progressive enhancement only.
 *
 * Every page reads and downloads without this script. With it, the home page gains search over
 * search-index.json (titles, descriptions, keywords, column names and column descriptions, both
 * languages) ranked by relevance with MiniSearch (assets/vendor, served with the site), facet
 * filters whose counts follow the search, a year range, and the whole state in the address bar;
 * dataset pages gain copy buttons, and their API snippets point at the address the page is
 * actually served from. All words shown come from the page
 * (data-i18n), which takes them from metadata/translations/. No network beyond the site itself.
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

  var GROUPS = ["theme", "region", "publisher", "format"];

  // Relevance weights of the search index's fields (pipelines/catalog/search.py): a title word
  // outweighs a keyword or theme, which outweighs the description, then columns and places.
  var BOOST = { heading: 6, keywords: 2, text: 1, columns: 0.5, places: 0.3 };

  function searchEngine(datasets) {
    if (typeof MiniSearch === "undefined") { return null; }
    var engine = new MiniSearch({
      fields: ["heading", "keywords", "text", "columns", "places"],
      tokenize: function (text) { return tokens(text); },
      processTerm: function (term) { return term; },
      searchOptions: { boost: BOOST, prefix: true, combineWith: "AND" }
    });
    engine.addAll(datasets.map(function (d) {
      return {
        id: d.id,
        heading: d.heading,
        keywords: d.keywords,
        text: d.text,
        places: d.places,
        columns: d.columns.map(function (c) { return c.text; }).join(" ")
      };
    }));
    return engine;
  }

  // The whole state of the finder, read from and written to the address bar, so a search can be
  // shared and the back button steps through it: ?q=apbd&theme=anggaran&from=2021&to=2023.
  function readState(search) {
    var params = new URLSearchParams(search);
    var state = { q: params.get("q") || "", sort: params.get("sort") || "relevance",
      from: params.get("from") || "", to: params.get("to") || "", facets: {} };
    GROUPS.forEach(function (key) { state.facets[key] = params.getAll(key); });
    return state;
  }

  function stateQuery(state) {
    var params = new URLSearchParams();
    if (state.q) { params.set("q", state.q); }
    GROUPS.forEach(function (key) {
      state.facets[key].forEach(function (v) { params.append(key, v); });
    });
    if (state.from) { params.set("from", state.from); }
    if (state.to) { params.set("to", state.to); }
    if (state.sort !== "relevance") { params.set("sort", state.sort); }
    var text = params.toString();
    return text ? "?" + text : "";
  }

  function initFinder(form) {
    var list = document.getElementById("datasets");
    var status = document.getElementById("result-count");
    var panel = document.getElementById("filters-panel");
    var input = form.querySelector("#q");
    var sort = form.querySelector("#sort");
    var i18n = JSON.parse(form.getAttribute("data-i18n"));
    var cards = Array.prototype.slice.call(list.querySelectorAll(".dataset-card"));
    var engine = null;
    var columns = {};
    var headings = {};
    var typing = false;
    form.hidden = false;
    panel.hidden = false;
    // Filters beside the results on a wide screen; folded above them on a phone.
    document.getElementById("filters").open = window.matchMedia("(min-width: 48em)").matches;

    function boxes() {
      return Array.prototype.slice.call(panel.querySelectorAll("input[type=checkbox]"));
    }

    function readForm() {
      var state = { q: input.value.trim(), sort: sort.value,
        from: panel.querySelector("#year-from").value, to: panel.querySelector("#year-to").value,
        facets: {} };
      GROUPS.forEach(function (key) { state.facets[key] = []; });
      boxes().forEach(function (box) { if (box.checked) { state.facets[box.name].push(box.value); } });
      return state;
    }

    function writeForm(state) {
      input.value = state.q;
      sort.value = state.sort;
      if (!sort.value) { sort.value = "relevance"; }
      panel.querySelector("#year-from").value = state.from;
      panel.querySelector("#year-to").value = state.to;
      boxes().forEach(function (box) {
        box.checked = state.facets[box.name].indexOf(box.value) !== -1;
        // a chosen value folded under "more" is shown
        var more = box.closest("details.more");
        if (box.checked && more) { more.open = true; }
      });
    }

    // dataset id -> relevance score of the query (every word must start a word somewhere).
    function scores(state) {
      var words = tokens(state.q);
      var found = {};
      if (!words.length) { return null; }
      if (engine) {
        // Title words first: a dataset whose title holds more of the query's words ranks above
        // one that holds fewer, whatever its other fields say; the BM25 score breaks ties.
        engine.search(words.join(" ")).forEach(function (r) {
          var inTitle = words.filter(function (w) { return hits(headings[r.id], [w]); }).length;
          found[r.id] = inTitle * 1e6 + r.score;
        });
      } else {
        cards.forEach(function (card) {
          if (hits(fold(card.textContent), words)) { found[card.getAttribute("data-id")] = 0; }
        });
      }
      return found;
    }

    function score(found, card) {
      var id = card.getAttribute("data-id");
      return id in found ? found[id] : -1; // a card that does not match goes last, in date order
    }

    function inYears(card, state) {
      if (!state.from && !state.to) { return true; }
      var low = state.from ? Number(state.from) : -Infinity;
      var high = state.to ? Number(state.to) : Infinity;
      return (card.getAttribute("data-year") || "").split(" ").some(function (y) {
        return y && Number(y) >= low && Number(y) <= high;
      });
    }

    // A card passes every chosen facet group but `skip` (values of one group combine with OR,
    // groups with AND): with `skip` it gives the counts of that group that follow the search.
    function passes(card, state, found, skip) {
      if (found && !(card.getAttribute("data-id") in found)) { return false; }
      if (skip !== "year" && !inYears(card, state)) { return false; }
      return GROUPS.every(function (key) {
        if (key === skip || !state.facets[key].length) { return true; }
        var have = (card.getAttribute("data-" + key) || "").split(" ");
        return state.facets[key].some(function (v) { return have.indexOf(v) !== -1; });
      });
    }

    function updateCounts(state, found) {
      GROUPS.forEach(function (key) {
        var counts = {};
        cards.forEach(function (card) {
          if (!passes(card, state, found, key)) { return; }
          (card.getAttribute("data-" + key) || "").split(" ").forEach(function (v) {
            counts[v] = (counts[v] || 0) + 1;
          });
        });
        panel.querySelectorAll("input[name=" + key + "]").forEach(function (box) {
          var n = counts[box.value] || 0;
          box.parentNode.querySelector(".count").textContent = "(" + n + ")";
          box.parentNode.classList.toggle("empty", n === 0);
        });
      });
    }

    function noteColumns(card, state) {
      var note = card.querySelector(".match");
      var words = tokens(state.q);
      var matched = words.length ? (columns[card.getAttribute("data-id")] || []).filter(
        function (c) { return hits(c.text, words); }) : [];
      note.hidden = !matched.length;
      note.textContent = matched.length ? i18n.matched + " " + matched.map(function (c) {
        return c.resource + "." + c.name;
      }).join(", ") : "";
    }

    function render(state) {
      var found = scores(state);
      var shown = 0;
      cards.forEach(function (card) {
        var ok = passes(card, state, found, null);
        card.hidden = !ok;
        noteColumns(card, state);
        if (ok) { shown += 1; }
      });
      updateCounts(state, found);
      var ordered = cards.slice().sort(function (a, b) {
        if (state.sort === "title") {
          return a.getAttribute("data-title").localeCompare(b.getAttribute("data-title"));
        }
        if (state.sort === "relevance" && found) {
          var by = score(found, b) - score(found, a);
          if (by) { return by; }
        }
        return b.getAttribute("data-updated").localeCompare(a.getAttribute("data-updated")) ||
          a.getAttribute("data-id").localeCompare(b.getAttribute("data-id"));
      }).sort(function (a, b) { return a.hidden - b.hidden; });
      // Move cards only when the order changes: moving a card that is being clicked (the search
      // box fires "change" on blur, i.e. on mousedown elsewhere) would swallow the click.
      var current = Array.prototype.slice.call(list.children);
      if (ordered.some(function (card, i) { return current[i] !== card; })) {
        ordered.forEach(function (card) { list.appendChild(card); });
      }
      status.textContent = shown ? shown + " " + i18n.count : i18n.none;
    }

    // Typing replaces one history entry; a chosen filter, sort or submitted search adds one.
    function update(event) {
      var state = readForm();
      var query = stateQuery(state);
      var byTyping = event && event.type === "input" && event.target === input;
      if (query !== window.location.search) {
        var url = window.location.pathname + query + window.location.hash;
        try {
          if (byTyping && typing) {
            window.history.replaceState({ finder: true }, "", url);
          } else {
            window.history.pushState({ finder: true }, "", url);
          }
        } catch (error) { /* a file:// page may refuse; the search still works */ }
      }
      typing = byTyping;
      render(state);
    }

    writeForm(readState(window.location.search));
    render(readForm());

    fetch(form.getAttribute("data-index"))
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (data) {
        data.datasets.forEach(function (d) {
          headings[d.id] = fold(d.heading);
          columns[d.id] = d.columns.map(function (c) {
            return { name: c.name, resource: c.resource, text: fold(c.text) };
          });
        });
        engine = searchEngine(data.datasets);
        render(readForm());
        form.setAttribute("data-ready", ""); // ranked by relevance from here on
      })
      .catch(function () {
        status.textContent = i18n.unavailable;
      });

    [form, panel].forEach(function (part) {
      part.addEventListener("input", update);
      part.addEventListener("change", function (event) {
        if (event.target !== input) { update(event); }
      });
    });
    input.addEventListener("change", function () { typing = false; });
    form.addEventListener("submit", function (event) { event.preventDefault(); typing = false; update(); });
    form.addEventListener("reset", function () { window.setTimeout(function () { typing = false; update(); }, 0); });
    window.addEventListener("popstate", function () {
      writeForm(readState(window.location.search));
      typing = false;
      render(readForm());
    });
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
