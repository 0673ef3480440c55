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

  document.addEventListener("htmx:wsAfterSend", function (event) {
    var form = event.target;
    if (form && form.tagName === "FORM" && form.querySelector("input[name=reason]")) {
      form.reset();
    }
  });
}());
