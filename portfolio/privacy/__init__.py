"""Personal data: what the application holds about a person, for them to take away."""
