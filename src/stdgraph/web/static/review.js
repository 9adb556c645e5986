// The review page (/review): Accept and Reject post the decision with the reviewer's name and
// the write token (Authorization header), then show the outcome in the row.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("review-config").textContent);
  var status = document.getElementById("review-status");

  function say(text) { status.textContent = text; }

  function decide(row, action, buttons) {
    var reviewer = document.getElementById("f-reviewer").value.trim();
    var token = document.getElementById("f-token").value.trim();
    if (!reviewer || !token) {
      say("Give your name and the write token first.");
      return;
    }
    var url = config.root + "/suggestions/" + action + "?record=" +
      encodeURIComponent(row.dataset.record) + "&reviewer=" + encodeURIComponent(reviewer);
    buttons.forEach(function (b) { b.disabled = true; });
    fetch(url, { method: "POST", headers: { "Authorization": "Bearer " + token } })
      .then(function (r) { return r.json().then(function (body) { return [r, body]; }); })
      .then(function (pair) {
        var r = pair[0], body = pair[1];
        if (r.ok) {
          var done = action === "accept" ? "accepted" : "rejected";
          row.querySelector("td.decision").textContent = done;
          row.classList.add(done);
          say("Suggestion " + done + ".");
        } else {
          buttons.forEach(function (b) { b.disabled = false; });
          say("Not recorded: " + (body.error || r.status));
        }
      })
      .catch(function (e) {
        buttons.forEach(function (b) { b.disabled = false; });
        say("Not recorded: " + e);
      });
  }

  document.querySelectorAll("tr[data-record]").forEach(function (row) {
    var buttons = Array.prototype.slice.call(row.querySelectorAll("button[data-action]"));
    buttons.forEach(function (b) {
      b.addEventListener("click", function () { decide(row, b.dataset.action, buttons); });
    });
  });
})();
