"""Opens N connections to an echo server, holds them all open, then moves 1 KiB each way on every one.

Usage: many_connections.py HOST PORT N CONNECT_CONCURRENCY READY_FILE GO_FILE
Creates READY_FILE once all N are open, waits for GO_FILE, exchanges and closes, prints "echoed OK of N".
At most CONNECT_CONCURRENCY connects are in flight at once (the daemon bounds pending host connects).
"""
import asyncio
import hashlib
import os
import sys

host, port, n, concurrency = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
ready_file, go_file = sys.argv[5], sys.argv[6]


async def main():
    limit = asyncio.Semaphore(concurrency)

    async def open_one():
        async with limit:
            return await asyncio.wait_for(asyncio.open_connection(host, port), 60)

    connections = await asyncio.gather(*(open_one() for _ in range(n)))
    open(ready_file, "w").close()
    for _ in range(1200):
        if os.path.exists(go_file):
            break
        await asyncio.sleep(0.1)

    async def exchange(i, reader, writer):
        data = hashlib.sha256(b"%d" % i).digest() * 32  # 1 KiB, different on every connection
        writer.write(data)
        await writer.drain()
        echoed = await asyncio.wait_for(reader.readexactly(len(data)), 60)
        writer.close()
        await writer.wait_closed()
        return echoed == data

    results = await asyncio.gather(*(exchange(i, r, w) for i, (r, w) in enumerate(connections)))
    print("echoed", sum(results), "of", n, flush=True)


asyncio.run(main())
