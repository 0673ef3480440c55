"""Routes (filled in by the domain)."""

routes: list = []
