"""The final portfolio: the trainee's introduction and a justification per competency, the
evidence chosen for each, the readiness check, and frozen snapshots handed in for the final
assessment (see docs/architecture.md)."""
