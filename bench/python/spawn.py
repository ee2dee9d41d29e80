"""Start and join one multiprocessing.Process, n times in a row."""

import time
from multiprocessing import Process

from _harness import main


def nothing():
    pass


def start_and_join(n, _workers):
    clean = 0
    start = time.perf_counter()
    for _ in range(n):
        child = Process(target=nothing)
        child.start()
        child.join()
        clean += child.exitcode == 0
    return time.perf_counter() - start, n, clean


if __name__ == "__main__":
    main(start_and_join)
