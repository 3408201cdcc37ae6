"""Operating-system confinement of a sandbox process (Linux), strongest first.

* namespaces: a new user, mount and network namespace. The mount namespace hides the
  course repository (reference, hidden tests), the temporary directory (other
  submissions, the judge's files) and any other path given, behind empty tmpfs mounts;
  the network namespace has no interface up; the user namespace takes away the
  capabilities that would let the process look into other processes through /proc;
* seccomp: no new processes (fork, vfork, clone without CLONE_THREAD), no exec, no
  ptrace or process_vm_* — enforced by the kernel, whatever code runs;
* resource limits: memory, file size, open files, CPU time, no core dumps.

Each layer is applied when the kernel allows it and reported in the returned list, so
the grader still works (with the audit hook of ``grader.sandbox`` as the remaining
layer) where namespaces are not permitted.
"""
from __future__ import annotations

import ctypes
import os
import platform

try:
    import resource
except ImportError:  # Windows
    resource = None
import signal
import struct
import sys

CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWNET, CLONE_THREAD = 0x00020000, 0x10000000, 0x40000000, 0x00010000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REC, MS_PRIVATE = 1, 2, 4, 0x4000, 1 << 18
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 1, 38, 22, 2

# Syscall numbers (arch audit id, {name: number}); names missing on an arch are skipped.
SYSCALLS = {
    "x86_64": (0xC000003E, {"clone": 56, "fork": 57, "vfork": 58, "execve": 59, "execveat": 322, "clone3": 435,
                            "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311}),
    "aarch64": (0xC00000B7, {"clone": 220, "execve": 221, "execveat": 281, "clone3": 435, "ptrace": 117,
                             "process_vm_readv": 270, "process_vm_writev": 271}),
}
EPERM, ENOSYS = 1, 38


def libc():
    """The C library, if this is Linux (the only system these layers exist on)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        lib = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    lib.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    return lib


def die_with_parent(lib) -> None:
    if lib is not None:
        lib.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="ascii") as stream:
        stream.write(text)


def namespaces(lib, hide: list[str], scratch: str) -> list[str]:
    """Enter new namespaces and hide ``hide`` behind empty read-only tmpfs mounts;
    ``scratch`` gets a small empty tmpfs of its own. Returns the layers applied."""
    if lib is None:
        return []
    uid, gid = os.getuid(), os.getgid()
    applied = []
    if lib.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET) == 0:
        try:  # a kernel that restricts user namespaces (AppArmor) may refuse the maps
            _write("/proc/self/setgroups", "deny")
            _write("/proc/self/uid_map", f"{uid} {uid} 1")
            _write("/proc/self/gid_map", f"{gid} {gid} 1")
        except OSError:
            pass  # the mounts below then fail too: the paths stay hidden by the audit hook
        applied += ["user namespace", "network namespace"]
    elif lib.unshare(CLONE_NEWNS | CLONE_NEWNET) == 0:
        applied += ["network namespace"]
    else:
        return applied
    if lib.mount(None, b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        return applied
    flags = MS_RDONLY | MS_NOSUID | MS_NODEV
    for path in sorted(set(hide), key=len):
        if os.path.isdir(path) and lib.mount(b"tmpfs", os.fsencode(path), b"tmpfs", flags, b"size=16k") != 0:
            raise OSError(ctypes.get_errno(), f"could not hide {path}")
    if lib.mount(b"tmpfs", os.fsencode(scratch), b"tmpfs", MS_NOSUID | MS_NODEV, b"size=16m,mode=0700") == 0:
        applied.append("private /tmp")
    applied.append("hidden paths")
    return applied


def _filter(arch_id: int, numbers: dict[str, int]) -> bytes:
    """A classic-BPF seccomp program: refuse process creation, exec and ptrace."""
    LD, JEQ, JSET, RET = 0x20, 0x15, 0x45, 0x06
    ALLOW, ERRNO = 0x7FFF0000, 0x00050000
    program = [(LD, 0, 0, 4), (JEQ, 1, 0, arch_id), (RET, 0, 0, ALLOW), (LD, 0, 0, 0)]
    denied = [n for name, n in numbers.items() if name not in ("clone", "clone3")]
    for number in denied:
        program += [(JEQ, 0, 1, number), (RET, 0, 0, ERRNO | EPERM)]
    program += [(JEQ, 0, 1, numbers["clone3"]), (RET, 0, 0, ERRNO | ENOSYS)]  # glibc falls back to clone
    program += [(JEQ, 0, 4, numbers["clone"]), (LD, 0, 0, 16),  # clone: its flags are args[0]
                (JSET, 0, 1, CLONE_THREAD), (RET, 0, 0, ALLOW), (RET, 0, 0, ERRNO | EPERM)]
    program.append((RET, 0, 0, ALLOW))
    return b"".join(struct.pack("HBBI", *instruction) for instruction in program)


def no_new_processes(lib) -> list[str]:
    machine = platform.machine()
    if lib is None or machine not in SYSCALLS:
        return []
    code = _filter(*SYSCALLS[machine])
    buffer = ctypes.create_string_buffer(code)

    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    program = Program(len(code) // 8, ctypes.addressof(buffer))
    if lib.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return []
    if lib.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(program), 0, 0) != 0:
        return []
    return ["seccomp"]


def limits(memory_bytes: int, output_bytes: int, cpu_seconds: int) -> None:
    if resource is None:
        return
    for limit, value in [(resource.RLIMIT_AS, memory_bytes), (resource.RLIMIT_FSIZE, output_bytes),
                         (resource.RLIMIT_CORE, 0), (resource.RLIMIT_NOFILE, 64), (resource.RLIMIT_CPU, cpu_seconds)]:
        try:
            resource.setrlimit(limit, (value, value))
        except (ValueError, OSError):
            pass
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an over-long write fails instead of killing
