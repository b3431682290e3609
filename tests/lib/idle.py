# SPDX-License-Identifier: ISC
# Opens N connections that never send a byte, says so, and holds them for a
# minute. Usage: idle.py PORT|PATH N READYFILE: a number is a TCP port on
# 127.0.0.1, anything else a unix socket's path; READYFILE is created once
# all N are open.
import socket
import sys
import time

target, n, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3]
held = []
for _ in range(n):
    if target.isdigit():
        s = socket.create_connection(("127.0.0.1", int(target)))
    else:
        s = socket.socket(socket.AF_UNIX)
        s.connect(target)
    held.append(s)
open(ready, "w").close()
time.sleep(60)
