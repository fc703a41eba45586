"""csc413-a2's own helpers: the colourisation networks and task, and the linear-regression
setting of its derivations (sections 2.2–2.3) as sympy symbols."""
