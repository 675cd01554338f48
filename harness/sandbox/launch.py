"""The sandbox's launcher: builds the jail, then turns into the untrusted program.

Run as a script (``python -I -S launch.py SPEC``), never imported by the harness, so it uses
the standard library only. It runs with the harness's privileges until the last moment:

1. new mount, network, PID, IPC and UTS namespaces (as root directly; otherwise inside a
   new user namespace that maps the caller's uid to 0, which needs unprivileged user
   namespaces). Without them it stops with a setup error: the code is never run unjailed.
2. fork: the child is PID 1 of the new PID namespace, so when it exits (or is killed) the
   kernel kills every process the program started: a fork bomb dies with it.
3. the child builds a root on a size-capped tmpfs: read-only binds of ``/usr`` (and the
   ``/bin``, ``/lib`` links or folders), the interpreter's prefix and ``/dev/null``-like
   devices; one writable folder, ``/sandbox``, holding ``main.py``. Nothing else of the
   host (the repository, the results store, ``/tmp``) exists in it.
4. resource limits, then (as root) all privileges dropped to a uid of its own, then exec.

Setup failures are written to the spec's ``setup_error`` file, outside the jail, so the
program itself can never fake one.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import sys

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
PR_SET_PDEATHSIG = 1
SETUP_FAILED = 125

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str = "") -> None:
    _check(
        _libc.mount(
            source.encode() if source else None,
            target.encode(),
            fstype.encode() if fstype else None,
            ctypes.c_ulong(flags),
            data.encode() if data else None,
        ),
        f"mount {source or fstype} on {target}",
    )


def _bind_readonly(source: str, target: str) -> None:
    _mount(source, target, None, MS_BIND | MS_REC)
    _mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _die_with_parent(alive: int) -> None:
    """SIGKILL this process when its parent (the launcher) dies, e.g. at the wall-time limit.

    ``alive`` is the read end of a pipe whose write end only the launcher holds: end of file
    means the launcher died before the signal was armed (``getppid`` cannot tell: the parent
    lies outside the new PID namespace, so it reads 0).
    """
    _check(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl")
    import select

    if select.select([alive], [], [], 0)[0]:
        os._exit(137)


def _enter_namespaces() -> bool:
    """Unshare every namespace the jail needs; True when running as real root."""
    flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS
    if os.geteuid() == 0:
        _check(_libc.unshare(flags), "unshare (network, mount, PID namespaces)")
        return True
    uid, gid = os.geteuid(), os.getegid()
    _check(_libc.unshare(flags | CLONE_NEWUSER), "unshare (user namespace)")
    with open("/proc/self/setgroups", "w") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w") as f:
        f.write(f"0 {uid} 1")
    with open("/proc/self/gid_map", "w") as f:
        f.write(f"0 {gid} 1")
    return False


def _build_root(spec: dict) -> None:
    root = spec["root"]
    _mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing below propagates to the host
    _mount("sandbox", root, "tmpfs", MS_NOSUID | MS_NODEV, f"size={spec['disk_bytes']},mode=755")
    for name in ("usr", "bin", "sbin", "lib", "lib32", "lib64"):
        host = "/" + name
        if os.path.islink(host):
            os.symlink(os.readlink(host), os.path.join(root, name))
        elif os.path.isdir(host):
            os.mkdir(os.path.join(root, name))
            _bind_readonly(host, os.path.join(root, name))
    for prefix in spec["prefixes"]:  # the interpreter's home when it is not under /usr
        inside = os.path.join(root, prefix.lstrip("/"))
        if not os.path.isdir(inside):
            os.makedirs(inside, mode=0o755)
            _bind_readonly(prefix, inside)
    os.mkdir(os.path.join(root, "dev"))
    for device in ("null", "zero", "urandom", "random"):
        inside = os.path.join(root, "dev", device)
        open(inside, "w").close()
        _mount("/dev/" + device, inside, None, MS_BIND)
    work = os.path.join(root, "sandbox")
    os.mkdir(work, mode=0o700)
    with open(os.path.join(work, "main.py"), "w", encoding="utf-8") as f:
        f.write(spec["code"])
    if spec["uid"] is not None:
        os.chown(work, spec["uid"], spec["uid"])
        os.chown(os.path.join(work, "main.py"), spec["uid"], spec["uid"])
    os.chroot(root)
    os.chdir("/sandbox")


def _limit(spec: dict) -> None:
    cpu = spec["cpu_s"]
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (spec["memory_bytes"], spec["memory_bytes"]))
    resource.setrlimit(resource.RLIMIT_FSIZE, (spec["output_bytes"], spec["output_bytes"]))
    resource.setrlimit(resource.RLIMIT_NOFILE, (spec["open_files"], spec["open_files"]))
    resource.setrlimit(resource.RLIMIT_NPROC, (spec["processes"], spec["processes"]))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _jail_and_exec(spec: dict, alive: int, report: int) -> None:
    """In the new PID namespace's first process: build the jail, then run the program.

    The program runs as a child of this process, not as PID 1 itself: the kernel shields a
    namespace's init from signals it has no handler for, which would let a program outlive
    its CPU limit. This process only waits, then exits with the program's status; its exit
    kills every process left in the namespace.
    """
    _die_with_parent(alive)
    _build_root(spec)
    program = os.fork()
    if program == 0:
        try:
            _limit(spec)
            if spec["uid"] is not None:  # root: become an unprivileged uid used by nothing else
                os.setgroups([])
                os.setgid(spec["uid"])
                os.setuid(spec["uid"])
            python = spec["python"]
            os.execve(python, [python, "-I", "-S", "-B", "main.py"], {})
        except OSError as exc:
            os.write(report, str(exc).encode()[:1000])
        os._exit(SETUP_FAILED)
    os.close(report)
    _, status = os.waitpid(program, 0)
    if os.WIFSIGNALED(status):
        os._exit(128 + os.WTERMSIG(status))
    os._exit(os.WEXITSTATUS(status))


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    os.unlink(sys.argv[1])
    try:
        if not _enter_namespaces():
            spec["uid"] = None
        # Both pipes close on exec: ``alive`` tells the child the launcher still runs,
        # ``report`` carries a setup error back (empty when the exec succeeded).
        alive, held = os.pipe()
        report_in, report = os.pipe()
        child = os.fork()
    except OSError as exc:
        _setup_failed(spec, str(exc))
        return
    if child == 0:
        os.close(held)
        os.close(report_in)
        try:
            _jail_and_exec(spec, alive, report)
        except OSError as exc:
            os.write(report, str(exc).encode()[:1000])
        os._exit(SETUP_FAILED)
    os.close(alive)
    os.close(report)
    with os.fdopen(report_in, "rb") as f:
        problem = f.read().decode(errors="replace")
    _, status = os.waitpid(child, 0)
    if problem:
        _setup_failed(spec, problem)
    if os.WIFSIGNALED(status):
        os._exit(128 + os.WTERMSIG(status))
    os._exit(os.WEXITSTATUS(status))


def _setup_failed(spec: dict, problem: str) -> None:
    with open(spec["setup_error"], "w", encoding="utf-8") as f:
        f.write(problem)
    os._exit(SETUP_FAILED)


if __name__ == "__main__":
    main()
