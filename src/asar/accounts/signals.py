"""What the accounts domain tells the other domains."""

from __future__ import annotations

from asar.signals import Signal

# Sent by accounts.service.delete_account in its transaction, with `user_id` and `name` and `email`
# (the name and address the account had: the copies a domain keeps are found by id, or by these).
# Each domain that copied something of the person (hearings: the author names on posts, questions,
# raised hands and their events) rewrites it before the deletion commits.
account_deleted = Signal("account.deleted")
