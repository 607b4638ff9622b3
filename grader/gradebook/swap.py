"""Swapping two folders in one step, where the operating system can.

Linux has ``renameat2(RENAME_EXCHANGE)`` (glibc 2.28+, also reached through ``syscall`` where
the libc lacks the wrapper) and macOS ``renamex_np(RENAME_SWAP)``: both exchange two paths
atomically, so that a reader of either path sees one folder or the other, never neither.
Elsewhere (Windows, old kernels, file systems that refuse the flag) :func:`exchange` returns
False and the caller falls back on two renames.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import sys
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2  # linux/fs.h
_RENAME_SWAP = 2  # sys/stdio.h on macOS
# renameat2's system call number, for a libc without the wrapper (musl before 1.2.5, ...).
_SYSCALL = {"x86_64": 316, "aarch64": 276}
# What a kernel or file system says when it cannot exchange: the caller falls back.
_UNSUPPORTED = frozenset(
    {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, getattr(errno, "EOPNOTSUPP", errno.ENOTSUP)}
)


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def _linux(libc: ctypes.CDLL, first: bytes, second: bytes) -> int | None:
    """renameat2's result (0 or -1), or None when neither the wrapper nor a syscall number
    is known."""
    wrapper = getattr(libc, "renameat2", None)
    if wrapper is not None:
        wrapper.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                            ctypes.c_uint]  # fmt: skip
        wrapper.restype = ctypes.c_int
        return int(wrapper(_AT_FDCWD, first, _AT_FDCWD, second, _RENAME_EXCHANGE))
    number = _SYSCALL.get(platform.machine())
    if number is None:
        return None
    syscall = libc.syscall
    syscall.restype = ctypes.c_long
    return int(
        syscall(ctypes.c_long(number), ctypes.c_int(_AT_FDCWD), ctypes.c_char_p(first),
                ctypes.c_int(_AT_FDCWD), ctypes.c_char_p(second),
                ctypes.c_uint(_RENAME_EXCHANGE))
    )  # fmt: skip


def _darwin(libc: ctypes.CDLL, first: bytes, second: bytes) -> int | None:
    function = getattr(libc, "renamex_np", None)
    if function is None:
        return None
    function.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return int(function(first, second, _RENAME_SWAP))


def exchange(first: Path, second: Path) -> bool:
    """Swap the two existing paths atomically; False when this system cannot (nothing moved).

    Raises OSError for a real failure (permissions, a mount point, no space for the directory
    entry), with nothing moved.
    """
    if sys.platform.startswith("linux"):
        call = _linux
    elif sys.platform == "darwin":
        call = _darwin
    else:
        return False
    libc = _libc()
    if libc is None:
        return False
    result = call(libc, os.fsencode(first), os.fsencode(second))
    if result is None:
        return False
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), str(first), None, str(second))


def sync_filesystem(folder: Path) -> bool:
    """Flush the whole file system holding `folder` to disk in one call (Linux syncfs(2));
    False where that is not possible, and the caller flushes file by file."""
    libc = _libc() if sys.platform.startswith("linux") else None
    function = getattr(libc, "syncfs", None)
    if function is None:
        return False
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return False
    try:
        function.argtypes = [ctypes.c_int]
        function.restype = ctypes.c_int
        return int(function(fd)) == 0
    finally:
        os.close(fd)
