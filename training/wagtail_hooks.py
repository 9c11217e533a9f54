"""Admin wiring of enterprise training."""
