# SPDX-License-Identifier: ISC
# A "database" that accepts TCP connections on 127.0.0.1 and never says a
# word. Usage: hung_db.py PORTFILE LOGFILE [tls]: writes its port to
# PORTFILE (atomically), and a line "accepted" to LOGFILE per connection.
# With "tls", it first sends a MariaDB greeting offering TLS, then falls
# silent: the client's TLS handshake never gets an answer.
import os
import socket
import struct
import sys

# CLIENT_LONG_PASSWORD, PROTOCOL_41, SSL, SECURE_CONNECTION, PLUGIN_AUTH
CAPS = 0x1 | 0x200 | 0x800 | 0x8000 | 0x80000
GREETING = (b"\x0a" + b"5.5.5-10.11.0-MariaDB\x00" + struct.pack("<I", 7)
            + b"abcdefgh\x00" + struct.pack("<H", CAPS & 0xffff)
            + b"\x2d" + struct.pack("<H", 2) + struct.pack("<H", CAPS >> 16)
            + bytes([21]) + b"\x00" * 10
            + b"ijklmnopqrst\x00" + b"mysql_native_password\x00")
tls = len(sys.argv) > 3 and sys.argv[3] == "tls"

srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen(16)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(srv.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
held = []
while True:
    conn, _ = srv.accept()
    if tls:
        conn.sendall(struct.pack("<I", len(GREETING))[:3] + b"\x00" + GREETING)
    held.append(conn)
    with open(sys.argv[2], "a") as f:
        f.write("accepted\n")
