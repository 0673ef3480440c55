/* The live room's small helpers for htmx's WebSocket extension (no inline scripts: CSP).
   - every message sent from a form over the socket gets a fresh client_id;
   - a ping every 30 s keeps the socket from being closed as idle;
   - the connection state is shown (and announced) in #room-connection;
   - when the socket cannot connect (networks that block WebSockets), the same stream comes as
     Server-Sent Events and the forms are posted by htmx (each form carries its client_id, so a
     retried post is stored once, and the answer sends the form back with a new one);
   - the speaker's countdown, one's own floor buttons and questions, and the focus after sending. */
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
  var socketOpen = false;
  var socketEverOpen = false;
  var failures = 0;  // socket attempts that ended without opening, in a row
  var stream = null;  // the Server-Sent Events fallback, while the socket is not connected
  var timer = null;

  function showConnection(state) {
    var el = document.getElementById("room-connection");
    if (el) {
      el.textContent = el.dataset[state];
    }
  }

  document.addEventListener("htmx:wsConfigSend", function (event) {
    var params = event.detail.parameters;
    if (params && (params.type === "post" || params.type === "ask" || params.type === "vote")) {
      params.client_id = newClientId();
    }
  });

  /* Only the room's own socket counts (the page may have others: the notification bell's). */
  function fromRoom(event) {
    return event.target && event.target.classList && event.target.classList.contains("room");
  }

  document.addEventListener("htmx:wsOpen", function (event) {
    if (!fromRoom(event)) {
      return;
    }
    socket = event.detail.socketWrapper;
    socketOpen = socketEverOpen = true;
    failures = 0;
    stopStream();  // before the socket's first message: the two never both apply an event
    showConnection("online");
    if (timer === null) {
      timer = window.setInterval(function () {
        if (socket && socketOpen) {
          socket.send(JSON.stringify({ type: "ping" }));
        }
      }, 30000);
    }
  });

  function socketFailed(event) {
    if (!fromRoom(event)) {
      return;
    }
    if (!socketOpen) {
      failures += 1;
    }
    socketOpen = false;
    if (stream === null) {
      showConnection("offline");
    }
    // blocked from the start: fall back at once; after it had worked, only if it keeps failing
    if (failures >= (socketEverOpen ? 3 : 1)) {
      startStream();
    }
  }

  document.addEventListener("htmx:wsClose", socketFailed);  // (a failed attempt ends with a close too)

  /* The fallback: the same stream over Server-Sent Events (data-stream: the page's seq is in it;
     the browser resumes by itself with Last-Event-ID). Each message is the socket's HTML frame. */
  function startStream() {
    var room = document.querySelector(".room[data-stream]");
    if (stream !== null || !room || !window.EventSource) {
      return;
    }
    stream = new window.EventSource(room.dataset.stream);
    stream.onopen = function () {
      showConnection("fallback");
    };
    stream.onmessage = function (event) {
      window.htmx.swap(room, event.data, { swapStyle: "none" });
    };
    stream.addEventListener("end", function () {
      stopStream();  // signed out or no longer allowed: the server ended the stream for good
      showConnection("offline");
    });
    stream.onerror = function () {
      if (stream && stream.readyState !== window.EventSource.OPEN) {
        showConnection("offline");  // the browser tries again by itself
      }
    };
  }

  function stopStream() {
    if (stream !== null) {
      stream.close();
      stream = null;
    }
  }

  /* A socket that neither opens nor fails (a proxy that holds the upgrade) counts as blocked too. */
  window.setTimeout(function () {
    if (!socketEverOpen) {
      startStream();
    }
  }, 5000);

  /* While the socket is not open, a room form is posted by htmx to its own action instead of being
     queued for the socket: the answer is the same fragments the socket would send. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (socketOpen || !form || !form.hasAttribute || !form.hasAttribute("ws-send") || !window.htmx) {
      return;
    }
    event.preventDefault();
    event.stopPropagation();  // (capture phase: the socket extension's handler never sees it)
    if (form.id === "post-form" || form.id === "ask-form") {
      sentFrom = form.id;
    }
    window.htmx.ajax("POST", form.getAttribute("action"), { source: form, swap: "none" }).then(function () {
      if (form.isConnected && form.querySelector("input[name=reason]")) {
        form.reset();
      }
    });
  }, true);

  /* Refusals (400-429) carry the room's notice: swap it in like a success. */
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status >= 400 && xhr.status < 500 && xhr.responseText.indexOf('id="room-notice"') !== -1) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
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

  /* One's own questions get no upvote button. The page and a snapshot mark them (.question--mine);
     the question list an event redraws is the same for everybody, so the ids are remembered here,
     with the id of every question this page asks (#ask-form[data-sent], from the acknowledgement). */
  var myQuestions = {};

  function hideOwnUpvotes() {
    Array.prototype.forEach.call(document.querySelectorAll(".question--mine"), function (el) {
      myQuestions[el.id] = true;
    });
    var ask = document.getElementById("ask-form");
    if (ask && ask.dataset.sent) {
      myQuestions["question-" + ask.dataset.sent] = true;
    }
    Object.keys(myQuestions).forEach(function (id) {
      var item = document.getElementById(id);
      var upvote = item && item.querySelector(".upvote-form");
      if (upvote) {
        item.classList.add("question--mine");
        upvote.remove();
      }
    });
  }

  /* A sent comment or question comes back as a fresh form (cleared, with its status): keep the focus
     in it rather than letting it fall to the top of the page. */
  var sentFrom = null;

  function keepFocus() {
    if (!sentFrom) {
      return;
    }
    var form = document.getElementById(sentFrom);
    var focused = document.activeElement;
    if (form && (!focused || focused === document.body || !document.contains(focused))) {
      var field = form.querySelector("textarea");
      if (field) {
        field.focus();
      }
      sentFrom = null;
    }
  }

  tickCountdowns();
  syncFloorMine();
  hideOwnUpvotes();
  window.setInterval(tickCountdowns, 1000);
  document.addEventListener("htmx:oobAfterSwap", function () {
    tickCountdowns();
    syncFloorMine();
    hideOwnUpvotes();
    keepFocus();
  });

  document.addEventListener("htmx:wsAfterSend", function (event) {
    var form = event.target;
    if (form && form.tagName === "FORM" && form.querySelector("input[name=reason]")) {
      form.reset();
    }
    if (form && (form.id === "post-form" || form.id === "ask-form")) {
      sentFrom = form.id;
    }
  });
}());
