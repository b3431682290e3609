# A "database" that accepts TCP connections on 127.0.0.1 and never says a
# word. Usage: hung_db.py PORTFILE LOGFILE: writes its port to PORTFILE
# (atomically), and a line "accepted" to LOGFILE per connection.
import os
import socket
import sys

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
    held.append(conn)
    with open(sys.argv[2], "a") as f:
        f.write("accepted\n")
