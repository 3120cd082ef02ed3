"""Field driver: sympy integrates, factors and solves."""

import sympy

x = sympy.symbols("x")
print(sympy.integrate(sympy.sin(x) * x, x), sympy.factor(x**2 - 1), sympy.solve(x**2 - 4, x))
