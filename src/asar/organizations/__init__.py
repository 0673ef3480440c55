"""Organizations of the three sectors, their members and verification."""

# The domain's answer to account.deleted, connected whenever anything of the domain is loaded.
from asar.organizations import anonymize as _anonymize  # noqa: F401
