"""Processes each adding 1 under a manager lock to one number in a managed
dict, n times: the read, the write and the lock are each a round trip to the
manager's server process."""

import time
from multiprocessing import Manager, Process

from _harness import main


def add(numbers, lock, n):
    for _ in range(n):
        with lock:
            numbers["n"] = numbers["n"] + 1


def managed(n, workers):
    with Manager() as manager:
        numbers = manager.dict({"n": 0})
        lock = manager.Lock()
        start = time.perf_counter()
        children = [Process(target=add, args=(numbers, lock, n)) for _ in range(workers)]
        for child in children:
            child.start()
        for child in children:
            child.join()
        elapsed = time.perf_counter() - start
        return elapsed, n * workers, numbers["n"]


if __name__ == "__main__":
    main(managed)
