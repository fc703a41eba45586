"""dl-principles' own helpers: the toy experiments of 1a and 1b."""
