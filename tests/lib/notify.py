# SPDX-License-Identifier: ISC
# Plays systemd's end of sd_notify(3): binds a unix datagram socket at PATH
# and appends each message to OUT as one line, its fields joined by "|".
# Usage: notify.py PATH OUT. Exits after ten minutes if nobody stops it.
import os
import socket
import sys

path, out = sys.argv[1], sys.argv[2]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path + ".tmp")
os.rename(path + ".tmp", path)
sock.settimeout(600)
with open(out, "a", encoding="utf-8") as f:
    while True:
        try:
            message = sock.recv(4096)
        except socket.timeout:
            break
        f.write(message.decode("utf-8", "replace").strip().replace("\n", "|") + "\n")
        f.flush()
