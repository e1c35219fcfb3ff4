# An asyncio echo server and its clients in one process: N clients connect
# at once, each sends M lines and reads every echo back. Prints one summary
# line, the same on every run.
import asyncio
import sys

CLIENTS = 40
LINES = 25


async def echo(reader, writer):
    while line := await reader.readline():
        writer.write(line)
        await writer.drain()
    writer.close()
    await writer.wait_closed()


async def client(port, n):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    got = 0
    for i in range(LINES):
        line = f"client {n} line {i}\n".encode()
        writer.write(line)
        await writer.drain()
        if await reader.readline() != line:
            raise RuntimeError(f"client {n}: wrong echo for line {i}")
        got += len(line)
    writer.close()
    await writer.wait_closed()
    return got


async def main():
    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        sizes = await asyncio.gather(*(client(port, n) for n in range(CLIENTS)))
    print(f"{CLIENTS} clients, {sum(sizes)} bytes echoed")


asyncio.run(main())
sys.exit(0)
