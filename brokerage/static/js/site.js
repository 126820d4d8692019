/* A little progressive enhancement. Every page works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.add("js-enabled");

  // Move focus to the error summary so screen reader and keyboard users hear the problems first.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }

  // Error summary links: focus the field and bring its label or legend into view.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".error-summary a[href^='#']");
    if (!link) { return; }
    var input = document.getElementById(link.getAttribute("href").slice(1));
    if (!input) { return; }
    event.preventDefault();
    var legend = input.closest("fieldset") && input.closest("fieldset").querySelector("legend");
    var label = legend || document.querySelector("label[for='" + input.id + "']") || input;
    label.scrollIntoView();
    input.focus({ preventScroll: true });
  });

  // Skills: choosing a suggestion from the list adds it at once, without a round trip.
  var skillInput = document.querySelector("[data-skill-input]");
  var chosen = document.querySelector("[data-chosen-skills]");
  if (skillInput && chosen) {
    var options = {};
    Array.prototype.forEach.call(document.querySelectorAll("#skill-suggestions option"), function (o) {
      options[o.value.toLowerCase()] = o.getAttribute("data-id");
    });
    skillInput.addEventListener("input", function (event) {
      // Only a suggestion picked from the list (not every keystroke while typing).
      if (event.inputType && event.inputType !== "insertReplacementText") { return; }
      var id = options[skillInput.value.trim().toLowerCase()];
      if (!id || document.getElementById("skill-" + id)) { return; }
      var item = document.createElement("div");
      item.className = "checkboxes__item";
      var box = document.createElement("input");
      box.type = "checkbox"; box.className = "checkboxes__input"; box.name = "skills"; box.value = id;
      box.id = "skill-" + id; box.checked = true;
      var label = document.createElement("label");
      label.className = "label checkboxes__label"; label.htmlFor = box.id; label.textContent = skillInput.value.trim();
      item.appendChild(box); item.appendChild(label);
      chosen.appendChild(item);
      var none = document.querySelector("[data-no-skills]");
      if (none) { none.hidden = true; }
      var status = document.querySelector("[data-skill-status]");
      if (status) { status.textContent = "Added " + skillInput.value.trim() + "."; }
      skillInput.value = "";
    });
  }

  // A call-out's live page: fetch its counts every few seconds and redraw them in place; a change in
  // the answers is announced politely to screen readers. Without this the page shows the counts as
  // they were when it opened, with a link to refresh them.
  var live = document.querySelector("[data-live-counts]");
  if (live && window.fetch) {
    var note = live.querySelector("[data-refresh-note]");
    var said = live.querySelector("[data-live-message]");
    var seconds = Math.max(1, parseInt(live.getAttribute("data-seconds"), 10) || 5);
    if (note) { note.textContent = "These counts update by themselves every few seconds."; }
    var tick = function () {
      fetch(live.getAttribute("data-url"), { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (data) {
            var answered = false;
            Array.prototype.forEach.call(live.querySelectorAll("[data-count]"), function (el) {
              var key = el.getAttribute("data-count");
              if (data[key] === undefined || el.textContent.trim() === String(data[key])) { return; }
              el.textContent = String(data[key]);
              if (key === "accepted" || key === "declined") { answered = true; }
            });
            var tag = live.querySelector(".tag");
            if (tag && data.status_label) { tag.textContent = data.status_label; }
            if (said && answered) { said.textContent = data.accepted + " said yes, " + data.still_needed + " still needed."; }
          }
          window.setTimeout(tick, seconds * 1000);
        })
        .catch(function () { window.setTimeout(tick, seconds * 2000); });
    };
    window.setTimeout(tick, seconds * 1000);
  }
})();
