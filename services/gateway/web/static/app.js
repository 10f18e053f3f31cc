// Live updates for the staff UI. The pages work without this script; it only adds what arrives
// while a page is open: new notifications in the inbox, and status changes on case and referral
// pages. Each change is also announced to screen readers.
(function () {
  "use strict";
  var body = document.body;

  function announce(text) {
    var region = document.getElementById("live-announcer");
    if (!region) return;
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  // Show the reporter field only for a concern report.
  var channel = document.getElementById("channel");
  var reporter = document.querySelector('[data-show-when="channel=concern_report"]');
  if (channel && reporter) {
    var sync = function () { reporter.hidden = channel.value !== "concern_report"; };
    channel.addEventListener("change", sync);
    sync();
  }

  var live = body.dataset.live;
  if (!live || !window.EventSource) return;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // The same "YYYY-MM-DD HH:MM" in the city's time zone as the server-rendered rows.
  var clock = new Intl.DateTimeFormat("sv-SE", { timeZone: body.dataset.timezone || "Asia/Tokyo",
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
  function localTime(iso) { return clock.format(new Date(iso)); }

  function noticeItem(n) {
    var item = el("li", "notice notice--fresh notice--unread notice--" + (n.urgency || "normal"));
    item.dataset.position = n.position;
    item.dataset.referral = n.referral_id || "";
    item.appendChild(el("p", "notice__title", n.title));
    var meta = el("p", "notice__meta");
    var time = el("time", "", localTime(n.created_at));
    time.setAttribute("datetime", n.created_at);
    meta.appendChild(time);
    item.appendChild(meta);
    var actions = el("div", "notice__actions");
    if (n.referral_id) {
      var open = el("a", "button button--secondary", body.dataset.openLabel);
      open.href = "/referrals/" + encodeURIComponent(n.referral_id);
      open.appendChild(el("span", "visually-hidden", ": " + n.title));
      actions.appendChild(open);
    }
    var form = el("form");
    form.method = "post";
    form.action = "/inbox/" + encodeURIComponent(n.id) + "/ack";
    var csrf = el("input");
    csrf.type = "hidden"; csrf.name = "csrf"; csrf.value = body.dataset.csrf;
    form.appendChild(csrf);
    var ack = el("button", "button", body.dataset.ackLabel);
    ack.type = "submit";
    ack.appendChild(el("span", "visually-hidden", ": " + n.title));
    form.appendChild(ack);
    actions.appendChild(form);
    item.appendChild(actions);
    return item;
  }

  function addNotice(n) {
    var list = document.getElementById("notices");
    if (!list || list.querySelector('[data-position="' + n.position + '"]')) return;
    var empty = list.querySelector(".notice--empty");
    if (empty) empty.remove();
    list.insertBefore(noticeItem(n), list.firstChild);
    announce(body.dataset.newLabel + ": " + n.title);
  }

  // Case and referral pages: fetch the page again and swap what changed, keeping focus where it is.
  var refreshing = false;
  function refreshRegions(reason) {
    if (refreshing) return;
    refreshing = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        document.querySelectorAll("[data-refresh]").forEach(function (region) {
          var replacement = fresh.getElementById(region.id);
          if (replacement && !region.contains(document.activeElement)) region.replaceWith(replacement);
        });
        var status = document.getElementById("referral-status");
        announce(reason + (status ? ": " + status.textContent.trim() : ""));
      })
      .catch(function () {})
      .then(function () { refreshing = false; });
  }

  function relevant(n) {
    if (live === "referral") return n.referral_id === body.dataset.referral;
    if (live === "case") return n.case_id === body.dataset.case;
    return true;
  }

  var after = body.dataset.after || "latest";
  var source = new EventSource("/api/v1/inbox/stream?after=" + encodeURIComponent(after));
  var hint = document.getElementById("live-hint");
  source.addEventListener("open", function () { if (hint) hint.dataset.connected = "true"; });
  source.addEventListener("error", function () { if (hint) hint.dataset.connected = "false"; });
  source.addEventListener("notification", function (message) {
    var n = JSON.parse(message.data);
    if (live === "inbox") {
      addNotice(n);
      if (n.referral_id) refreshRegions(n.title);
    } else if (relevant(n)) {
      refreshRegions(n.title);
    }
  });
  window.addEventListener("pagehide", function () { source.close(); });
})();
