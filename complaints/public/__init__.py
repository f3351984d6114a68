"""The complainant's side, without a login: the online complaint form and the status page."""
