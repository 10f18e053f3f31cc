"""What the fault and cluster runs stand on: private RabbitMQ nodes and a private PostgreSQL
(so they can be killed without touching the machine's own), a TCP proxy that cuts and
black-holes connections, and tsunagu's services as separate processes."""
