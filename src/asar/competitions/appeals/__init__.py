"""Appeals (issue 10 item 6): during the appeal window, after the results are published, an applicant
files an appeal about its application; the issuer's staff answer it (upheld or dismissed, with
reasons) within a deadline in working days. An appeal past its deadline without an answer is flagged
on the call's public page; the call cannot be awarded while an appeal is open.

`models` holds the row, `rules` the pure checks (text, outcome, the window, the deadline's state),
`service` the verbs and reads, `notices` and `event_types` what they tell people and the call's
stream, `controllers` and `api` the pages and the JSON API.
"""
