"""The engine: Form 8606 Parts I, II and III for every person, chain and year, vectorized over chains."""
