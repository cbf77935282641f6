// Whispir: see docs/design.md. Filled in by its issue.
