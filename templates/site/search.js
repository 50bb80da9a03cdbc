/* Static Japanese search over window.GUIDELINE_SEARCH_INDEX (written by guideline.writers.search_index).
   A query is normalised like the index (NFKC per character and its following marks, lower case), split at white space into terms; a document
   matches when it holds every bigram of every term (index lookup) and every term as a substring (verification).
   Works from file:// and http:// alike: the index is a script, no fetch. */
(function () {
  "use strict";
  var data = window.GUIDELINE_SEARCH_INDEX;
  var form = document.getElementById("search-form");
  var input = document.getElementById("q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  if (!form || !input || !status || !list) return;
  if (!data || data.v !== 1) {
    status.textContent = "検索用の索引を読み込めませんでした。目次から項目を探してください。";
    return;
  }
  var docs = data.docs, grams = data.grams, cache = {};

  /* normalised text and, for each normalised code unit, the offset of the original character it came from */
  var MARK = /^(?:[\uff9e\uff9f\u3099\u309a]|\p{M})$/u;
  function norm(s) {
    var clusters = [];
    for (var ch of s) {
      if (clusters.length && MARK.test(ch)) clusters[clusters.length - 1] += ch;
      else clusters.push(ch);
    }
    var out = "", map = [], i = 0;
    clusters.forEach(function (c) {
      var n = c.normalize("NFKC").toLowerCase();
      for (var k = 0; k < n.length; k++) map.push(i);
      out += n;
      i += c.length;
    });
    map.push(i);
    return { text: out, map: map };
  }
  function chars(s) { return Array.from(s); }
  function decode(encoded) {
    var out = [], total = 0, parts = encoded.split(",");
    for (var i = 0; i < parts.length; i++) {
      if (parts[i]) { total += parseInt(parts[i], 36); out.push(total); }
    }
    return out;
  }
  function intersect(a, b) {
    var set = new Set(b);
    return a.filter(function (x) { return set.has(x); });
  }
  function docText(n) {
    if (!cache[n]) cache[n] = norm(docs[n][2] + "\n" + docs[n][3]);
    return cache[n];
  }

  function search(query) {
    var terms = norm(query).text.split(/\s+/).filter(Boolean);
    if (!terms.length) return null;
    var cand = null;
    for (var t = 0; t < terms.length; t++) {
      var cs = chars(terms[t]);
      for (var i = 0; i + 1 < cs.length; i++) {
        var enc = grams[cs[i] + cs[i + 1]];
        var posting = enc ? decode(enc) : [];
        cand = cand === null ? posting : intersect(cand, posting);
        if (!cand.length) return { terms: terms, hits: [] };
      }
    }
    var pool = cand;
    if (pool === null) { pool = []; for (var d = 0; d < docs.length; d++) pool.push(d); }
    var hits = pool.filter(function (n) {
      var text = docText(n).text;
      return terms.every(function (term) { return text.indexOf(term) >= 0; });
    });
    /* headings that contain the first term first, otherwise reading order */
    var inHeading = [], rest = [];
    hits.forEach(function (n) {
      (norm(docs[n][2]).text.indexOf(terms[0]) >= 0 ? inHeading : rest).push(n);
    });
    return { terms: terms, hits: inHeading.concat(rest) };
  }

  function snippet(n, term) {
    var original = docs[n][2] + "\n" + docs[n][3];
    var start = docs[n][2].length + 1;
    var nt = docText(n);
    var at = nt.text.indexOf(term, nt.map.indexOf(start) >= 0 ? nt.map.indexOf(start) : 0);
    var p = document.createElement("p");
    p.className = "snippet";
    if (at < 0) {
      var body = docs[n][3];
      p.textContent = body.length > 90 ? body.slice(0, 90) + "…" : body;
      return body ? p : null;
    }
    var from = nt.map[at], to = nt.map[at + term.length];
    var left = Math.max(start, from - 40), right = Math.min(original.length, to + 60);
    p.appendChild(document.createTextNode((left > start ? "…" : "") + original.slice(left, from)));
    var mark = document.createElement("mark");
    mark.textContent = original.slice(from, to);
    p.appendChild(mark);
    p.appendChild(document.createTextNode(original.slice(to, right) + (right < original.length ? "…" : "")));
    return p;
  }

  function show(query) {
    list.textContent = "";
    var result = search(query);
    if (result === null) { status.textContent = "検索する語句を入力してください。"; return; }
    var hits = result.hits;
    status.textContent = hits.length
      ? "「" + query.trim() + "」を含む項目：" + hits.length + "件"
      : "「" + query.trim() + "」を含む項目は見つかりませんでした。";
    hits.forEach(function (n) {
      var doc = docs[n];
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = doc[0];
      if (doc[1]) {
        var num = document.createElement("span");
        num.className = "result-num";
        num.textContent = doc[1];
        a.appendChild(num);
      }
      a.appendChild(document.createTextNode(doc[2]));
      li.appendChild(a);
      if (doc[4]) {
        var kind = document.createElement("span");
        kind.className = "result-kind";
        kind.textContent = doc[4];
        li.appendChild(kind);
      }
      var s = snippet(n, result.terms[0]);
      if (s) li.appendChild(s);
      list.appendChild(li);
    });
  }

  function remember(query) {
    try {
      var url = new URL(window.location.href);
      if (query) url.searchParams.set("q", query); else url.searchParams.delete("q");
      window.history.replaceState(null, "", url.toString());
    } catch (e) { /* file:// may refuse; the search works anyway */ }
  }

  var timer = null;
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    clearTimeout(timer);
    show(input.value);
    remember(input.value.trim());
  });
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { show(input.value); }, 250);
  });
  var initial = new URLSearchParams(window.location.search).get("q");
  if (initial) { input.value = initial; show(initial); }
  window.guidelineSearch = function (query) { return (search(query) || { hits: [] }).hits.map(function (n) { return docs[n][0]; }); };
})();
