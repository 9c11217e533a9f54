"""Every write of enterprise training goes through a service here (roster, classes, …)."""
