"""Count the primes below n with multiprocessing.Pool.map, one worker per
core, testing each number with the same trial division as the Rust legs."""

import time
from multiprocessing import Pool

from _harness import main


def is_prime(n):
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    d = 3
    while d * d <= n:
        if n % d == 0:
            return False
        d += 2
    return True


def count_primes(n, workers):
    start = time.perf_counter()
    with Pool(workers) as pool:
        # Pool.map picks its own chunk size (about n / (4 * workers)): it
        # sends the numbers in batches, not one message per number.
        count = sum(pool.map(is_prime, range(n)))
    return time.perf_counter() - start, n, count


if __name__ == "__main__":
    main(count_primes)
