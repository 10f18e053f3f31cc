"""Persistence: engines per service database, backbone tables, migrations, unit of work."""
