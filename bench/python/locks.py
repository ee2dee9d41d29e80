"""Two threads, one adding 1 and one subtracting 1, n times each, under one
threading.Lock. The final value is reported as 64-bit two's complement, as
the Rust legs do: 0 when no update was lost."""

import threading
import time

from _harness import main


def locked_updates(n, _workers):
    lock = threading.Lock()
    value = [0]

    def update(delta):
        for _ in range(n):
            with lock:
                value[0] += delta

    threads = [threading.Thread(target=update, args=(delta,)) for delta in (1, -1)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, 2 * n, value[0] % 2**64


if __name__ == "__main__":
    main(locked_updates)
