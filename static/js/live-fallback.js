/* Live sections' fallback when WebSockets are blocked (no inline scripts: CSP), for every element
   marked `.live-fallback` that listens to a stream with htmx's WebSocket extension (ws-connect) and
   names the same stream over Server-Sent Events in data-stream (/sse/streams/<kind>/<id>?format=html,
   with the seq the page was rendered at): the project page (project:<id>) and the interest thread
   (thread:<id>). As the bell (bell.js) and the hearing room (hearing-room.js) do: when an element's
   socket fails before it ever opened (or has not opened within 5 seconds, or fails three times in a
   row after it worked), its stream comes as Server-Sent Events; each message is the socket's HTML
   frame (swapped out of band), the browser resumes by itself with Last-Event-ID (nothing when it
   missed nothing, the sections afresh when it did), and the socket's first successful open closes
   the event stream. `event: end` (the reader may no longer read the stream) closes it for good. */
(function () {
  "use strict";

  var states = new WeakMap();  // element -> {everOpen, open, failures, stream}

  function state(el) {
    var s = states.get(el);
    if (!s) {
      s = { everOpen: false, open: false, failures: 0, stream: null, ended: false };
      states.set(el, s);
    }
    return s;
  }

  function live(event) {
    var el = event.target;
    return el && el.classList && el.classList.contains("live-fallback") && el.dataset.stream ? el : null;
  }

  function stopStream(s) {
    if (s.stream !== null) {
      s.stream.close();
      s.stream = null;
    }
  }

  function startStream(el) {
    var s = state(el);
    if (s.stream !== null || s.ended || !window.EventSource || !window.htmx) {
      return;
    }
    s.stream = new window.EventSource(el.dataset.stream);
    el.dataset.liveFallback = "sse";
    s.stream.onmessage = function (event) {
      window.htmx.swap(el, event.data, { swapStyle: "none" });
    };
    s.stream.addEventListener("end", function () {
      s.ended = true;
      stopStream(s);  // no longer allowed (signed out, removed): the server ended the stream for good
    });
  }

  document.addEventListener("htmx:wsOpen", function (event) {
    var el = live(event);
    if (!el) {
      return;
    }
    var s = state(el);
    s.open = s.everOpen = true;
    s.failures = 0;
    el.dataset.liveFallback = "ws";
    stopStream(s);  // before the socket's first message: the two never both apply an event
  });

  document.addEventListener("htmx:wsClose", function (event) {  // (a failed attempt ends with a close too)
    var el = live(event);
    if (!el) {
      return;
    }
    var s = state(el);
    if (!s.open) {
      s.failures += 1;
    }
    s.open = false;
    // blocked from the start: fall back at once; after it had worked, only if it keeps failing
    if (s.failures >= (s.everOpen ? 3 : 1)) {
      startStream(el);
    }
  });

  /* A socket that neither opens nor fails (a proxy that holds the upgrade) counts as blocked too. */
  window.setTimeout(function () {
    Array.prototype.forEach.call(document.querySelectorAll(".live-fallback[data-stream]"), function (el) {
      if (!state(el).everOpen) {
        startStream(el);
      }
    });
  }, 5000);
}());
