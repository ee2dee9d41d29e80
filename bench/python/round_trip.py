"""Round trips of a small number over a multiprocessing.Pipe: the child
answers each number with the number plus one."""

import time
from multiprocessing import Pipe, Process

from _harness import main


def echo_plus_one(conn):
    while True:
        value = conn.recv()
        if value is None:
            return
        conn.send(value + 1)


def round_trips(n, _workers):
    ours, theirs = Pipe()
    child = Process(target=echo_plus_one, args=(theirs,))
    child.start()
    ours.send(0)
    ours.recv()  # the child is up before the clock starts
    right = 0
    start = time.perf_counter()
    for i in range(n):
        ours.send(i)
        right += ours.recv() == i + 1
    elapsed = time.perf_counter() - start
    ours.send(None)
    child.join()
    return elapsed, n, right


if __name__ == "__main__":
    main(round_trips)
