#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""kill_on_create.py DIR PID [SECONDS]: SIGKILL to PID while it opens a
hidden file (one it is about to half-write) in DIR; prints the file's name.
A fanotify permission event holds PID inside open(2) until it is dead, so
the kill lands there, not some time later. Every other open is allowed.
Exits 1 when no such open comes within SECONDS (default 60)."""

import ctypes
import os
import select
import signal
import struct
import sys
import time

FAN_CLASS_CONTENT = 0x04
FAN_CLOEXEC = 0x01
FAN_MARK_ADD = 0x01
FAN_OPEN_PERM = 0x10000
FAN_EVENT_ON_CHILD = 0x08000000
FAN_ALLOW = 0x01
AT_FDCWD = -100
# struct fanotify_event_metadata and struct fanotify_response
METADATA = struct.Struct("IBBHQii")
RESPONSE = struct.Struct("iI")


def answer(fan, fd):
    os.write(fan, RESPONSE.pack(fd, FAN_ALLOW))
    os.close(fd)


def handle(fan, data, pid):
    """The name that got PID killed, or None."""
    killed = None
    offset = 0
    while offset + METADATA.size <= len(data):
        length, _, _, _, _, fd, who = METADATA.unpack_from(data, offset)
        offset += length
        if fd < 0:
            continue
        name = os.path.basename(os.readlink("/proc/self/fd/%d" % fd))
        if killed is None and who == pid and name.startswith("."):
            os.kill(pid, signal.SIGKILL)
            killed = name
        answer(fan, fd)
    return killed


def main():
    directory, pid = sys.argv[1], int(sys.argv[2])
    timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 60.0
    libc = ctypes.CDLL(None, use_errno=True)
    libc.fanotify_mark.argtypes = [ctypes.c_int, ctypes.c_uint,
                                   ctypes.c_uint64, ctypes.c_int,
                                   ctypes.c_char_p]
    fan = libc.fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC, os.O_RDONLY)
    if fan < 0 or libc.fanotify_mark(fan, FAN_MARK_ADD,
                                     FAN_OPEN_PERM | FAN_EVENT_ON_CHILD,
                                     AT_FDCWD, directory.encode()) < 0:
        sys.exit("fanotify: " + os.strerror(ctypes.get_errno()))
    print("watching", flush=True)
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        ready, _, _ = select.select([fan], [], [], max(left, 0))
        if not ready:
            sys.exit(1)
        killed = handle(fan, os.read(fan, 4096), pid)
        if killed is not None:
            print(killed, flush=True)
            return


main()
