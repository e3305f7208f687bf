"""CP-SAT models that build rosters from a `roster.problem.Problem`."""
