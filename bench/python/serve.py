"""The Python servers of the serve workload: the tutorial's upper-casing
server, served the ways Python's standard library offers. It prints the port
it listens on and serves until it is killed; forklings-bench loads it with the
same load generator (in Rust) as the course's servers, so only the servers
differ.

    serve.py --kind serial|forking|threading|pool|asyncio [--workers N]
"""

import argparse
import asyncio
import socket
import socketserver
from concurrent.futures import ThreadPoolExecutor


class Upper(socketserver.BaseRequestHandler):
    """The tutorial's handler: answer what each recv returns, upper-cased."""

    def handle(self):
        conn = self.request
        while True:
            data = conn.recv(1024)
            if not data:
                break
            conn.sendall(data.upper())


def settings(cls):
    """A socketserver class that binds again at once and keeps a backlog as
    long as the Rust servers' (its default, 5, drops connections under load)."""
    return type(cls.__name__, (cls,), {
        "allow_reuse_address": True,
        "request_queue_size": 1024,
        "daemon_threads": True,
    })


def serve_socketserver(cls):
    with settings(cls)(("127.0.0.1", 0), Upper) as server:
        print(server.server_address[1], flush=True)
        server.serve_forever()


def serve_pool(workers):
    def handle(conn):
        with conn:
            while data := conn.recv(1024):
                conn.sendall(data.upper())

    listener = socket.create_server(("127.0.0.1", 0), backlog=1024, reuse_port=False)
    print(listener.getsockname()[1], flush=True)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        while True:
            conn, _ = listener.accept()
            pool.submit(handle, conn)


async def serve_asyncio():
    async def handle(reader, writer):
        while data := await reader.read(1024):
            writer.write(data.upper())
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kind", required=True,
                        choices=["serial", "forking", "threading", "pool", "asyncio"])
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    if args.kind == "serial":
        serve_socketserver(socketserver.TCPServer)
    elif args.kind == "forking":
        serve_socketserver(socketserver.ForkingTCPServer)
    elif args.kind == "threading":
        serve_socketserver(socketserver.ThreadingTCPServer)
    elif args.kind == "pool":
        serve_pool(args.workers)
    else:
        asyncio.run(serve_asyncio())


if __name__ == "__main__":
    main()
