"""Sponsorship of projects: interest threads between a sponsor and a project's organization, and
pledges of whole tenge with their tranches, receipts and the project's live funding stream."""
