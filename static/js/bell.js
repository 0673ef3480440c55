/* The notification bell's live updates when WebSockets are blocked (no inline scripts: CSP).
   The bell listens to the person's own stream user:<id> with htmx's WebSocket extension
   (notifications/partials/bell_live.html). When that socket fails before it ever opened (or has not
   opened within 5 seconds, or fails three times in a row after it worked), the same stream comes as
   Server-Sent Events (data-stream: /sse/streams/user/<id>?format=html), as the hearing room does:
   each message is the socket's HTML frame (the bell, swapped out of band), the browser resumes by
   itself with Last-Event-ID (nothing when it missed nothing, the bell afresh when it did), and the
   socket's first successful open closes the event stream. Each message is announced on the body as
   `bell:message` (the inbox re-fetches its list on it, as on the socket's htmx:wsAfterMessage). */
(function () {
  "use strict";

  var everOpen = false;
  var open = false;
  var failures = 0;  // socket attempts that ended without opening, in a row
  var stream = null;

  function bell() {
    return document.querySelector(".bell-live[data-stream]");
  }

  function fromBell(event) {
    return event.target && event.target.classList && event.target.classList.contains("bell-live");
  }

  function stopStream() {
    if (stream !== null) {
      stream.close();
      stream = null;
    }
  }

  function startStream() {
    var el = bell();
    if (stream !== null || !el || !window.EventSource || !window.htmx) {
      return;
    }
    stream = new window.EventSource(el.dataset.stream);
    stream.onmessage = function (event) {
      window.htmx.swap(el, event.data, { swapStyle: "none" });
      document.body.dispatchEvent(new CustomEvent("bell:message", { bubbles: true }));
    };
    stream.addEventListener("end", function () {
      stopStream();  // signed out: the server ended the stream for good
    });
  }

  document.addEventListener("htmx:wsOpen", function (event) {
    if (!fromBell(event)) {
      return;
    }
    open = everOpen = true;
    failures = 0;
    stopStream();  // before the socket's first message: the two never both apply an event
  });

  document.addEventListener("htmx:wsClose", function (event) {  // (a failed attempt ends with a close too)
    if (!fromBell(event)) {
      return;
    }
    if (!open) {
      failures += 1;
    }
    open = false;
    // blocked from the start: fall back at once; after it had worked, only if it keeps failing
    if (failures >= (everOpen ? 3 : 1)) {
      startStream();
    }
  });

  /* A socket that neither opens nor fails (a proxy that holds the upgrade) counts as blocked too. */
  window.setTimeout(function () {
    if (!everOpen) {
      startStream();
    }
  }, 5000);
}());
