// The live list: fetch the rows every 1.5 s and swap them in, unless the officer is pressing a button.
(function () {
  var body = document.getElementById("rows");
  if (!body) return;
  var live = document.getElementById("live");
  var last = null;  // the last fragment fetched: rows are swapped only when something changed
  var holdUntil = 0;  // a row must not be swapped under the officer's pointer between press and release
  ["pointerdown", "submit", "focusin"].forEach(function (ev) {
    body.addEventListener(ev, function () { holdUntil = Date.now() + 2000; });
  });
  function tick() {
    if (Date.now() < holdUntil) return setTimeout(tick, 300);
    fetch(body.getAttribute("data-src"), {credentials: "same-origin", cache: "no-store"}).then(function (r) {
      if (r.status === 401) { window.location = "/desk/login"; return null; }
      return r.ok ? r.text() : null;
    }).then(function (html) {
      if (html !== null && html !== undefined && html !== last) { last = html; body.innerHTML = html; }
      if (live) live.style.opacity = "1";
    }).catch(function () { if (live) live.style.opacity = "0.4"; })
      .finally(function () { setTimeout(tick, 1500); });
  }
  setTimeout(tick, 1500);
})();
