"""The read-only JSON API (:mod:`.v1`) and the personal access tokens that open it."""
