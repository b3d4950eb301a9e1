"""Formative review: trainers comment on a trainee's work during the training."""
