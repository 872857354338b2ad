# CPython reference for bench_coroutines (docs/performance.md, "Coroutines at scale"): the same two runs with
# asyncio and the standard library only (asyncio streams speak HTTP/1.1 to the lab server; no aiohttp needed).
#   python3 bench/asyncio_scale.py sleeps [N=10000] [ms=100]
#   python3 bench/asyncio_scale.py fetches PORT [N=1000] [ms=200]   (against `taskline serve --port PORT`)
import asyncio, sys, time

async def nap(s):
    await asyncio.sleep(s)

async def fetch(port, ms):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET /delay?ms={ms}&bytes=20000 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    body = await reader.read()
    writer.close()
    return len(body)

async def main():
    if sys.argv[1] == "sleeps":
        n = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
        ms = int(sys.argv[3]) if len(sys.argv) > 3 else 100
        t = time.perf_counter()
        await asyncio.gather(*(nap(ms / 1000) for _ in range(n)))
    else:
        port = int(sys.argv[2])
        n = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
        ms = int(sys.argv[4]) if len(sys.argv) > 4 else 200
        t = time.perf_counter()
        sizes = await asyncio.gather(*(fetch(port, ms) for _ in range(n)))
        assert all(s > 20000 for s in sizes), min(sizes)
    print(f"{sys.argv[1]}: {(time.perf_counter() - t) * 1000:.0f} ms")

asyncio.run(main())
