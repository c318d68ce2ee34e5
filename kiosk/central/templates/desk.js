// The live list: a long poll on the office's feed. The server answers as soon as a kiosk pushes or a host
// answers (or after 20 s, so the minutes waited tick); the rows are swapped in unless the officer is pressing
// a button. An unchanged list comes back as 304 (ETag) and is not downloaded again.
(function () {
  var body = document.getElementById("rows");
  if (!body) return;
  var live = document.getElementById("live");
  var seq = parseInt(body.getAttribute("data-seq") || "-1", 10);
  var etag = null;
  var held = null;  // a fragment that arrived while the officer was pressing: swapped in on release
  var holdUntil = 0;  // a row must not be swapped under the officer's pointer between press and release
  ["pointerdown", "submit", "focusin"].forEach(function (ev) {
    body.addEventListener(ev, function () { holdUntil = Date.now() + 2000; });
  });
  function swap() {
    if (held === null) return;
    if (Date.now() < holdUntil) { setTimeout(swap, 300); return; }
    body.innerHTML = held;
    held = null;
  }
  function tick() {
    var headers = etag ? {"If-None-Match": etag} : {};
    var url = body.getAttribute("data-src") + "?since=" + seq + "&wait=20";
    fetch(url, {credentials: "same-origin", cache: "no-store", headers: headers}).then(function (r) {
      if (r.status === 401) { window.location = "/desk/login"; return null; }
      var next = parseInt(r.headers.get("X-Feed-Seq") || "", 10);
      if (!isNaN(next)) seq = next;
      if (r.status === 304 || !r.ok) return null;
      etag = r.headers.get("ETag");
      return r.text();
    }).then(function (html) {
      if (html !== null && html !== undefined) { held = html; swap(); }
      if (live) live.style.opacity = "1";
      setTimeout(tick, 50);
    }).catch(function () {
      if (live) live.style.opacity = "0.4";
      setTimeout(tick, 3000);  // the server is away: try again without hammering it
    });
  }
  tick();
})();
