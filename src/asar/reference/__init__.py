"""Reference data: regions of Kazakhstan and areas of activity."""
