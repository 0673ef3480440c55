"""Outgoing mail: an outbox table drained by a background job."""
