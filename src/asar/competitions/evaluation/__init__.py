"""Evaluation of a call's applications by its commission: conflict-of-interest declarations,
sealed scores per criterion, the aggregate and ranking per lot, anomalies and progress.

Pure core: `core` (the formula, documented in docs/competitions.md, "Evaluation").
"""
