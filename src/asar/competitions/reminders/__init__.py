"""Deadlines and reminders of a call (issue 10 item 8): a scheduled job tells people what is due
(intake opening and closing, the compliance check's and scoring's deadlines, the appeal window) through
the notifications (in-app and mail as each person chose), each reminder once per person, call and
kind (the sent log, `models.CallReminder`), and announces on the call's stream the moment a stage
turns overdue (`call.overdue`: the timeline's badge updates in open pages).

`service` holds the rules (who is told what, when), `notices` the notification kinds, `jobs` the
schedule (every minute).
"""
