"""The final assessment of a handed-in portfolio: two assessors, a consensus, a locked verdict."""
