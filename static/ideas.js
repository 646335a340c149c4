// While someone types a title on the proposal form, show ideas already on the board
// that look like it, so they can vote for one instead. The form's own "Check for
// similar ideas" button does the same without this script.
(function () {
  "use strict";
  var form = document.querySelector("form[data-similar-url]");
  if (!form || !window.fetch) { return; }
  var title = form.querySelector("input[name=title]");
  var out = document.getElementById("similar-live");
  if (!title || !out) { return; }
  var timer = null;
  var last = "";

  function show(found) {
    out.textContent = "";
    if (!found.length) { return; }
    var heading = document.createElement("p");
    heading.textContent = "Already on the board, and perhaps the same: vote for one of these instead?";
    var list = document.createElement("ul");
    found.forEach(function (idea) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = idea.url;
      link.textContent = idea.title;
      item.appendChild(link);
      item.appendChild(document.createTextNode(" (" + idea.status + ")"));
      list.appendChild(item);
    });
    out.appendChild(heading);
    out.appendChild(list);
  }

  function ask() {
    var text = title.value.trim();
    if (text.length < 4 || text === last) { return; }
    last = text;
    fetch(form.getAttribute("data-similar-url") + "?title=" + encodeURIComponent(text),
          {headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : {similar: []}; })
      .then(function (body) { show(body.similar || []); })
      .catch(function () {});
  }

  title.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 400);
  });
})();
