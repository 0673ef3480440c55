"""The compliance check (issue 10 item 4): once intake closes, the issuer's staff mark each submitted
application admissible or not admissible, with reasons, within a deadline in working days; only
admissible applications go on to scoring (asar.competitions.evaluation), and the call moves to
scoring only when every submitted application is marked. An overdue check is flagged on the call's
public timeline.

`reasons` holds the standard reasons (a pure table), `service` the verbs and reads, `jobs` the
schedule that opens the check when intake closes.
"""
