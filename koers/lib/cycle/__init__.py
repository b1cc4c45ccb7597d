"""The 20-week improvement cycle: when a plan is due and what it achieved."""
