"""Applications to a call's lots: drafts with autosave, budget lines with caps, eligibility rules,
PDF attachments, submission and withdrawal, the registration number and the receipt.

Pure cores: `budget` (the budget rules), `eligibility` (the pluggable rules a call configures).
"""
