# tests/lint/lib.sh - shared helpers for the linter tests (sourced).
