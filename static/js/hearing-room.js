/* The live room's small helpers for htmx's WebSocket extension (no inline scripts: CSP).
   - every message sent from a form gets a fresh client_id, so a retried send is stored once;
   - a ping every 30 s keeps the socket from being closed as idle;
   - the connection state is shown (and announced) in #room-connection. */
(function () {
  "use strict";

  function newClientId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  var socket = null;
  var timer = null;

  function showConnection(online) {
    var el = document.getElementById("room-connection");
    if (el) {
      el.textContent = online ? el.dataset.online : el.dataset.offline;
    }
  }

  document.addEventListener("htmx:wsConfigSend", function (event) {
    var params = event.detail.parameters;
    if (params && (params.type === "post" || params.type === "ask" || params.type === "vote") && !params.client_id) {
      params.client_id = newClientId();
    }
  });

  document.addEventListener("htmx:wsOpen", function (event) {
    socket = event.detail.socketWrapper;
    showConnection(true);
    if (timer === null) {
      timer = window.setInterval(function () {
        if (socket) {
          socket.send(JSON.stringify({ type: "ping" }));
        }
      }, 30000);
    }
  });

  document.addEventListener("htmx:wsClose", function () {
    showConnection(false);
  });

  /* The speaker's countdown: every <time data-ends-at> shows the time left, from the server's clock
     (data-server-now, when the fragment was rendered) so that all screens count down alike. Screen
     readers hear it only at 30 seconds left and when the time is up, not every second. */
  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function tickCountdowns() {
    var nodes = document.querySelectorAll("time[data-ends-at]");
    Array.prototype.forEach.call(nodes, function (el) {
      if (el.dataset.offset === undefined) {
        var server = Date.parse(el.dataset.serverNow || "");
        el.dataset.offset = isNaN(server) ? "0" : String(server - Date.now());
      }
      var ends = Date.parse(el.dataset.endsAt);
      if (isNaN(ends)) {
        return;
      }
      var left = Math.round((ends - (Date.now() + Number(el.dataset.offset))) / 1000);
      var alert = el.closest(".floor__current") && el.closest(".floor__current").querySelector(".floor__alert");
      if (left <= 0) {
        el.textContent = el.dataset.overtime;
        el.classList.add("floor__countdown--over");
        if (alert && el.dataset.said !== "over") {
          alert.textContent = el.dataset.overtime;
          el.dataset.said = "over";
        }
        return;
      }
      el.textContent = Math.floor(left / 60) + ":" + pad(left % 60);
      if (alert && left <= 30 && !el.dataset.said) {
        alert.textContent = el.dataset.soon;
        el.dataset.said = "soon";
      }
    });
  }

  /* #floor is the same for everybody; #floor-mine knows which request is this person's and shows
     the matching buttons (finish speaking, lower my hand, or raise it) after every change. */
  function syncFloorMine() {
    var mine = document.getElementById("floor-mine");
    var id = mine && mine.dataset.request;
    if (!id) {
      return;
    }
    var current = document.querySelector("#floor .floor__current");
    var state = "none";
    if (current && current.dataset.requestId === id) {
      state = "speaking";
    } else if (document.getElementById("floor-request-" + id)) {
      state = "waiting";
    }
    Array.prototype.forEach.call(mine.querySelectorAll("[data-state]"), function (el) {
      el.hidden = el.dataset.state !== state;
    });
  }

  tickCountdowns();
  syncFloorMine();
  window.setInterval(tickCountdowns, 1000);
  document.addEventListener("htmx:oobAfterSwap", function () {
    tickCountdowns();
    syncFloorMine();
  });

  document.addEventListener("htmx:wsAfterSend", function (event) {
    var form = event.target;
    if (form && form.tagName === "FORM" && form.querySelector("input[name=reason]")) {
      form.reset();
    }
  });
}());
