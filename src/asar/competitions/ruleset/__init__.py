"""The platform admin's overrides of the competition rules' numbers (`asar.competitions.rules`):
`models` the table (one row per changed number), `service` the verb that changes them, `controllers`
the admin page (/admin/competition-rules), `api` the JSON API (public read, admin write)."""
