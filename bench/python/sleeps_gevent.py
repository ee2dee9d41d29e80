"""n greenlets each sleeping 10 ms, spawned and joined with gevent: the
original of the course's executor. Skipped when gevent is not installed."""

import time

from _harness import main, skip

try:
    import gevent
except ImportError:
    skip("gevent not installed")


def nap():
    gevent.sleep(0.01)
    return 1


def sleeps(n, _workers):
    start = time.perf_counter()
    greenlets = [gevent.spawn(nap) for _ in range(n)]
    gevent.joinall(greenlets)
    done = sum(g.value for g in greenlets)
    return time.perf_counter() - start, n, done


if __name__ == "__main__":
    main(sleeps)
