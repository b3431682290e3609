#!/usr/bin/env python3
"""kill_on_create.py DIR PID [SECONDS]: SIGKILL to PID the moment a hidden
file (a half-written one) is created in DIR; prints its name. Exits 1 when
none appears within SECONDS (default 10). inotify through ctypes: the test
machines have no inotify-tools."""

import ctypes
import os
import select
import signal
import struct
import sys

IN_CREATE = 0x100
EVENT = struct.Struct("iIII")


def main():
    directory, pid = sys.argv[1], int(sys.argv[2])
    timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 10.0
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.inotify_init1(os.O_CLOEXEC)
    if fd < 0 or libc.inotify_add_watch(fd, directory.encode(), IN_CREATE) < 0:
        sys.exit("inotify: " + os.strerror(ctypes.get_errno()))
    print("watching", flush=True)
    while True:
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            sys.exit(1)
        data = os.read(fd, 65536)
        offset = 0
        while offset < len(data):
            _, _, _, length = EVENT.unpack_from(data, offset)
            start = offset + EVENT.size
            name = data[start:start + length].rstrip(b"\0").decode()
            offset = start + length
            if name.startswith("."):
                os.kill(pid, signal.SIGKILL)
                print(name, flush=True)
                return


main()
