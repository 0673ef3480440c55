"""Outgoing mail: an outbox table drained by a background job.

Single-use links (confirmation, password reset, invitation) must never be readable from the
outbox once the mail has gone. Two ways were weighed:

- render the body at delivery from a token held only in the job's payload: the payload of an arq
  job sits in Redis in clear (and arq keeps it with the job's result for an hour after the run),
  and in the embedded default a restart between queueing and delivery loses the mail for good;
- keep the outbox row as the one durable copy, with the secret part sealed. This is what is done.

`queue_mail(..., secrets={"link": url})` renders the template with each secret's last path
segment (the token) replaced by a marker (`⟦hidden:link⟧`), so the stored body shows where a link
points and never what opens it. The hidden parts are sealed (Fernet: AES-128-CBC with an
HMAC-SHA256 tag) under a key derived (HKDF-SHA256) from ASAR_SECRET_KEY, in `secrets_sealed`.
The delivery job unseals them, puts them back into the body it hands to SMTP (or to the console
log in the embedded default: there the console is the mailbox), and clears `secrets_sealed` in
the same transaction that marks the mail sent. After delivery the row holds no token in any form;
before it, reading the database alone is not enough: the key is needed too.
"""
