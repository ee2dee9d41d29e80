"""A stream of small numbers through a multiprocessing.Queue from a child
process to its parent; the time runs from before the child starts until the
last number is read."""

import time
from multiprocessing import Process, Queue

from _harness import main


def produce(queue, n):
    for i in range(n):
        queue.put(i)


def stream(n, _workers):
    start = time.perf_counter()
    queue = Queue()
    child = Process(target=produce, args=(queue, n))
    child.start()
    total = 0
    for _ in range(n):
        total += queue.get()
    elapsed = time.perf_counter() - start
    child.join()
    return elapsed, n, total % 2**64


if __name__ == "__main__":
    main(stream)
