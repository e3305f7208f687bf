"""Domain of the rostering service: scenarios, time, rules, rosters and their validation."""
