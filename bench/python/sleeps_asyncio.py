"""n asyncio tasks each sleeping 10 ms, gathered on one event loop."""

import asyncio
import time

from _harness import main


async def nap():
    await asyncio.sleep(0.01)
    return 1


async def all_naps(n):
    return sum(await asyncio.gather(*(nap() for _ in range(n))))


def sleeps(n, _workers):
    loop = asyncio.new_event_loop()
    try:
        start = time.perf_counter()
        done = loop.run_until_complete(all_naps(n))
        return time.perf_counter() - start, n, done
    finally:
        loop.close()


if __name__ == "__main__":
    main(sleeps)
