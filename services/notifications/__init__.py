"""Notifications: who must know of each event, staff inboxes, live push with resume, agency
feeds over AMQP and signed webhooks."""
