// The query page's editor (web/query.py): syntax highlighting and prefix completion, written
// for stdgraph (no framework, no CDN, no third-party code). The page works without it: the
// editor is a plain textarea in a GET form. Highlighting is a <pre> under the textarea, whose
// text is made transparent; both have the same font, padding and wrapping (query.css).
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("config").textContent);
  var prefixes = config.prefixes || {};
  var names = Object.keys(prefixes).sort();
  var area = document.getElementById("query");
  var editor = document.getElementById("editor");
  var list = document.getElementById("prefix-list");
  var form = document.getElementById("form");
  if (!area || !editor) { return; }

  // -- highlighting -------------------------------------------------------------------------
  var KEYWORDS = ("BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK WHERE FROM NAMED DISTINCT REDUCED " +
    "AS ORDER BY ASC DESC LIMIT OFFSET GROUP HAVING VALUES OPTIONAL UNION MINUS GRAPH " +
    "SERVICE SILENT BIND FILTER EXISTS NOT IN UNDEF A TRUE FALSE COUNT SUM MIN MAX AVG " +
    "SAMPLE GROUP_CONCAT SEPARATOR STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE " +
    "RAND ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS " +
    "STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE " +
    "TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT SAMETERM " +
    "ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE LATERAL").split(" ");
  var KEYWORD = {};
  KEYWORDS.forEach(function (k) { KEYWORD[k] = true; });
  // one alternative a token kind, tried in this order at each position
  var TOKEN = new RegExp([
    "(#[^\\n]*)",                                                   // 1 comment
    "(\"\"\"[\\s\\S]*?(?:\"\"\"|$)|'''[\\s\\S]*?(?:'''|$)|" +
      "\"(?:[^\"\\\\\\n]|\\\\.)*\"?|'(?:[^'\\\\\\n]|\\\\.)*'?)",    // 2 string
    "(<[^<>\"{}|^`\\\\\\s]*>)",                                     // 3 IRI
    "([?$][A-Za-z0-9_\\u00b7\\u00c0-\\uffff]+)",                    // 4 variable
    "([A-Za-z][A-Za-z0-9_.-]*:[A-Za-z0-9_:%.\\-]*|:[A-Za-z0-9_:%.\\-]*)", // 5 prefixed name
    "(@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",                               // 6 language tag
    "([+-]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?)",    // 7 number
    "([A-Za-z_][A-Za-z0-9_]*)"                                      // 8 word (keyword?)
  ].join("|"), "g");
  var CLASSES = [null, "tok-comment", "tok-string", "tok-iri", "tok-var", "tok-pname",
                 "tok-lang", "tok-number", "tok-keyword"];

  // The text as [kind, text] pieces (kind null: plain).
  function tokens(text) {
    var out = [];
    var at = 0;
    var m;
    TOKEN.lastIndex = 0;
    while ((m = TOKEN.exec(text)) !== null) {
      if (m[0] === "") { TOKEN.lastIndex += 1; continue; }
      if (m.index > at) { out.push([null, text.slice(at, m.index)]); }
      var kind = null;
      for (var i = 1; i < CLASSES.length; i++) {
        if (m[i] !== undefined) { kind = CLASSES[i]; break; }
      }
      if (kind === "tok-keyword" && !KEYWORD[m[0].toUpperCase()]) { kind = null; }
      out.push([kind, m[0]]);
      at = m.index + m[0].length;
    }
    if (at < text.length) { out.push([null, text.slice(at)]); }
    return out;
  }

  // the parser's position of the page's error (line and column from 1), as an offset
  var problem = document.getElementById("query-error");
  var errorAt = -1;
  if (problem && problem.dataset.line) {
    var lines = area.value.split("\n");
    var line = parseInt(problem.dataset.line, 10);
    var col = parseInt(problem.dataset.column, 10);
    if (line >= 1 && line <= lines.length) {
      errorAt = lines.slice(0, line - 1).join("\n").length + (line > 1 ? 1 : 0) +
        Math.max(0, col - 1);
    }
  }
  var shown = area.value;  // the error's mark holds while the text is the one that failed

  var pre = document.createElement("pre");
  pre.className = "highlight";
  pre.setAttribute("aria-hidden", "true");
  var code = document.createElement("code");
  pre.appendChild(code);
  editor.insertBefore(pre, area);
  editor.classList.add("highlighting");

  function paint() {
    var text = area.value;
    var mark = text === shown ? errorAt : -1;
    var frag = document.createDocumentFragment();
    var pos = 0;
    var marked = false;
    tokens(text).forEach(function (t) {
      var el;
      var end = pos + t[1].length;
      var hit = mark >= pos && mark < end;
      marked = marked || hit;
      if (t[0] || hit) {
        el = document.createElement("span");
        el.className = (t[0] || "") + (hit ? " tok-error" : "");
        el.textContent = t[1] || " ";
      } else {
        el = document.createTextNode(t[1]);
      }
      frag.appendChild(el);
      pos = end;
    });
    if (mark >= 0 && !marked) {  // at the end of the text
      var tail = document.createElement("span");
      tail.className = "tok-error";
      tail.textContent = " ";
      frag.appendChild(tail);
    }
    frag.appendChild(document.createTextNode("\n"));  // a last empty line keeps its height
    code.textContent = "";
    code.appendChild(frag);
    sync();
  }

  // the textarea grows with its text (no scroll bar: it would wrap its lines narrower than
  // the copy under it); CSSOM, which the page's Content-Security-Policy allows
  function sync() {
    area.style.height = "auto";
    area.style.height = (area.scrollHeight + 2) + "px";
    pre.scrollTop = area.scrollTop;
    pre.scrollLeft = area.scrollLeft;
  }

  area.addEventListener("input", function () { paint(); complete(); });
  area.addEventListener("scroll", sync);
  window.addEventListener("resize", sync);  // narrower, its lines wrap more: taller
  paint();

  // -- prefix completion --------------------------------------------------------------------
  var options = [];   // the prefixes offered
  var active = -1;    // the one chosen with the arrow keys
  var context = null; // {start, end, declaring}: the word being completed

  // The word before the caret that a prefix could complete, or null.
  function wordAtCaret() {
    if (area.selectionStart !== area.selectionEnd) { return null; }
    var caret = area.selectionStart;
    var before = area.value.slice(0, caret);
    var after = area.value.slice(caret, caret + 1);
    if (/[A-Za-z0-9_:-]/.test(after)) { return null; }
    var m = /(^|[\s({,;/^|!.])(PREFIX\s+)?([A-Za-z][A-Za-z0-9_-]*)$/i.exec(before);
    if (!m) { return null; }
    // not inside a comment, a string or an IRI: what precedes on the line decides
    var line = before.slice(before.lastIndexOf("\n") + 1);
    if (/#/.test(line.replace(/"[^"]*"|'[^']*'|<[^>]*>/g, ""))) { return null; }
    if ((line.split("\"").length - 1) % 2 === 1 || /<[^>]*$/.test(line)) { return null; }
    return {start: caret - m[3].length, end: caret, word: m[3], declaring: !!m[2]};
  }

  function close() {
    options = [];
    active = -1;
    context = null;
    list.hidden = true;
    list.textContent = "";
    area.removeAttribute("aria-activedescendant");
  }

  function complete() {
    var w = wordAtCaret();
    var found = w ? names.filter(function (n) {
      return n.indexOf(w.word) === 0 && !(w.word === n && w.declaring);
    }) : [];
    if (!w || !found.length) { close(); return; }
    context = w;
    options = found;
    active = 0;
    list.textContent = "";
    found.forEach(function (n, i) {
      var li = document.createElement("li");
      li.id = "prefix-" + i;
      li.setAttribute("role", "option");
      var b = document.createElement("strong");
      b.textContent = n + ":";
      li.appendChild(b);
      li.appendChild(document.createTextNode(" " + prefixes[n]));
      li.addEventListener("mousedown", function (ev) {
        ev.preventDefault();  // the textarea keeps the focus
        choose(i);
      });
      list.appendChild(li);
    });
    list.hidden = false;
    highlight();
  }

  function highlight() {
    Array.prototype.forEach.call(list.children, function (li, i) {
      li.setAttribute("aria-selected", i === active ? "true" : "false");
    });
    if (active >= 0) { area.setAttribute("aria-activedescendant", "prefix-" + active); }
  }

  function declared(text, name) {
    return new RegExp("(^|\\s)PREFIX\\s+" + name + ":", "i").test(text);
  }

  // Put prefix ``i`` in place of the word; a prefixed name gets its PREFIX line at the top
  // when the query does not declare it yet.
  function choose(i) {
    var name = options[i];
    var w = context;
    if (!w || name === undefined) { return; }
    var text = area.value;
    var insert = w.declaring ? name + ": <" + prefixes[name] + ">" : name + ":";
    text = text.slice(0, w.start) + insert + text.slice(w.end);
    var caret = w.start + insert.length;
    if (!w.declaring && !declared(text, name)) {
      var line = "PREFIX " + name + ": <" + prefixes[name] + ">\n";
      text = line + text;
      caret += line.length;
    }
    area.value = text;
    area.setSelectionRange(caret, caret);
    close();
    paint();
  }

  // a textbox with a list of completions (a textarea takes no combobox role)
  area.setAttribute("aria-autocomplete", "list");
  area.setAttribute("aria-controls", "prefix-list");

  area.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      close();
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      return;
    }
    if (list.hidden) { return; }
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      var n = options.length;
      active = (active + (ev.key === "ArrowDown" ? 1 : n - 1)) % n;
      highlight();
    } else if (ev.key === "Enter" || ev.key === "Tab") {
      ev.preventDefault();
      choose(active);
    } else if (ev.key === "Escape") {
      ev.preventDefault();
      close();
    }
  });
  area.addEventListener("blur", close);
  area.addEventListener("click", close);
}());
