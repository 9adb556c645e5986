// The offline query page: no framework, no CDN. Sends the query with the SPARQL protocol
// (POST form) and renders SPARQL JSON results as a table, everything else as text.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("config").textContent);
  var form = document.getElementById("form");
  var query = document.getElementById("query");
  var accept = document.getElementById("accept");
  var examples = document.getElementById("examples");
  var result = document.getElementById("result");
  var status = document.getElementById("status");

  Object.keys(config.examples || {}).sort().forEach(function (name) {
    var opt = document.createElement("option");
    opt.value = name;
    opt.textContent = name;
    examples.appendChild(opt);
  });
  examples.addEventListener("change", function () {
    if (examples.value) { query.value = config.examples[examples.value]; }
  });

  function cell(term) {
    if (!term) { return ""; }
    if (term.type === "uri") { return "<" + term.value + ">"; }
    if (term.type === "bnode") { return "_:" + term.value; }
    var s = JSON.stringify(term.value);
    if (term["xml:lang"]) { s += "@" + term["xml:lang"]; }
    else if (term.datatype) { s += "^^<" + term.datatype + ">"; }
    return s;
  }

  function table(data) {
    if (typeof data.boolean === "boolean") {
      var p = document.createElement("p");
      p.textContent = "ASK: " + data.boolean;
      return p;
    }
    var t = document.createElement("table");
    var head = t.insertRow();
    data.head.vars.forEach(function (v) {
      var th = document.createElement("th");
      th.textContent = "?" + v;
      head.appendChild(th);
    });
    data.results.bindings.forEach(function (b) {
      var row = t.insertRow();
      data.head.vars.forEach(function (v) { row.insertCell().textContent = cell(b[v]); });
    });
    return t;
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    status.textContent = "running…";
    result.textContent = "";
    var started = Date.now();
    fetch(config.endpoint, {
      method: "POST",
      headers: {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept.value},
      body: new URLSearchParams({query: query.value}).toString()
    }).then(function (r) {
      var truncated = r.headers.get("X-Stdgraph-Truncated") === "true";
      var type = r.headers.get("Content-Type") || "";
      return r.text().then(function (text) {
        var ms = Date.now() - started;
        status.textContent = r.status + " · " + ms + " ms" + (truncated ? " · truncated" : "");
        if (!r.ok) {
          var msg = text;
          try { msg = JSON.parse(text).error; } catch (e) { /* not JSON */ }
          var p = document.createElement("p");
          p.className = "error";
          p.textContent = msg;
          result.appendChild(p);
        } else if (type.indexOf("application/sparql-results+json") === 0) {
          var data = JSON.parse(text);
          result.appendChild(table(data));
          if (data.results) { status.textContent += " · " + data.results.bindings.length + " rows"; }
        } else {
          var pre = document.createElement("pre");
          pre.textContent = text;
          result.appendChild(pre);
        }
      });
    }).catch(function (e) {
      status.textContent = "failed: " + e;
    });
  });
}());
