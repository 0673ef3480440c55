"""State social order and grant competitions (issue 10), from call to award.

Layout (who owns what, so that the items of issue 10 grow the package without stepping on each
other):

- `models.py`, `rules.py`, `forms.py`, `service.py`, `guards.py`, `choices.py`, `notices.py`,
  `event_types.py`, `live.py`, `calendar.py`, `controllers.py`, `api.py`: the call (issue 10 item 2)
  and the package's shared pieces: the state machine (`models.STATUSES`/`TRANSITIONS`, moved on with
  `service.advance`), the rule lock (`service.lock_rules`) and amendments (`service.update_call`,
  `service.amendment_audience`), the numbers of the rules (`rules.DEFAULT_RULES`; as the admin set them, `rules.current`; as a
  call was announced with them, `rules.for_call`; the admin's page and API in `ruleset/`), the working-day
  calendar and the MCI as a call uses them (`calendar`).
- `applications/`: applications (item 3), built on `Call`, `Lot`, `RequiredDocument`, the call's
  eligibility configuration (`Call.eligibility`, checked and evaluated by
  `applications.eligibility`) and `service.lock_rules`.
- `evaluation/`: scoring (item 5; its pure core ranks applications per lot).
- `compliance/`: the compliance check (item 4): the issuer's marks (admissible or not, with reasons),
  its working-day deadline and overdue flag, the rule that only admissible applications are scored.
- `appeals/`: appeals against the results (item 6): filing in the window, the issuer's answer within
  working days, the overdue flag, `open_appeals_count` for the award.
- `awards/`: the award (item 7): each winner becomes an Award and a project of the winning NGO
  (milestones and tranches from the application's stages, `applications/stages.py`), the grant
  agreement's signature, milestone reports that release the tranches in order.
- the other later stages (decision, appeals) add a module each.
"""
