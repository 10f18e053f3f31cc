"""Messaging adapters: topology, confirmed publishing, delivery decisions and nameko glue."""
