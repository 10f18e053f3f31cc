"""tsunagu's services: one package each, each with its own database and migrations."""
