"""Admin wiring of notifications: none. A person reads and settles their own notifications in the
notification centre (/notifications/); nobody else reads them."""
