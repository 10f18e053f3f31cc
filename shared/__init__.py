"""tsunagu's common package: configuration, event envelope and registry, outbox and inbox,
persistence and the messaging adapters every service stands on."""
