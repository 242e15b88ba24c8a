"""Editorial domain logic: the article store with versions and audit log, validation,
plain-language advice, content gaps and the impact of an edit. No HTTP in here."""
