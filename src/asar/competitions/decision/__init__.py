"""The commission's decision (issue 10 item 6): the meeting with its attendance against the quorum
(optionally held as a public hearing of the issuer), the winners confirmed per lot within the lot's
budget, the protocol (page, PDF, Markdown, JSON) and the publication of the results, which opens the
appeal window (appeals are `asar.competitions.appeals`).

`models` holds the rows, `core` the pure rules (quorum, the default proposal, departures from the
ranking), `service` the verbs and reads (`winners`, `results_public` are what the later stages read).
"""
