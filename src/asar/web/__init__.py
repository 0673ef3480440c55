"""What every page shares: sessions, the acting person, CSRF, i18n, templates, errors."""
