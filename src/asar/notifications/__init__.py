"""One place to tell a person something.

- **Kinds** (`kinds.py`): a registry each domain adds to (its `notices` module, which
  asar.domains imports; nothing here names a domain). A kind has a sentence made from the notification's params in the
  reader's language, a link (a route name: the router builds the address, never string joining), a
  mail template (`templates/mail/<kind>.txt`, its name also the outbox's kind) and defaults.
- **Recipients and dedupe** (`service.notify`): one row per (person, dedupe key), unique in the
  database and inserted with ON CONFLICT DO NOTHING: a retried or concurrent job tells a person
  once, and mails only for the rows it inserted. Someone without an account (an invitation to an
  address) gets the mail alone.
- **Channels**: in-app (the inbox at /notifications, the bell in the header) and e-mail through the
  outbox (asar.mail: single-use links stay sealed), at once or in the daily digest
  (`send_notification_digests`, a scheduled job), as each person chose per kind (`models.
  NotificationPreference`; without a row the kind's defaults apply). A kind whose mail carries a
  single-use link is always mailed at once.
- The verb that causes a notification calls `notify` inside its own transaction, so the
  notification exists exactly when the change does.
- **Live** (`live.py`): `notification.created` and `notification.read` on the person's own stream
  `user:<id>` (asar.live), appended in the same unit of work; the bell on every page listens to it
  (htmx's ws extension) and is re-drawn without a reload.
"""
