"""Matching sponsors and projects: a pure scoring core (`core`), its vectorised twin for ranking
many at once (`vector`), the sentences that explain a score (`reasons`), and the service, pages
and weekly digest built on them. The formula is in docs/matching.md."""
