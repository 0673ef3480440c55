"""Live public hearings: scheduling, registration, the live room (discussion, Q&A, polls), moderation."""

# The domain's answer to account.deleted, connected whenever anything of the domain is loaded.
from asar.hearings import anonymize as _anonymize  # noqa: F401
