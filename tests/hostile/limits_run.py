#!/usr/bin/env python3
"""Runs a command with a CPU-time limit and a wall-clock timeout, its output
to files, and prints "EXIT CPU_SECONDS MAX_RSS_KB" (EXIT is 128 + the
signal for a command killed by one, 124 after the timeout).

usage: limits_run.py CPU_S WALL_S STDOUT STDERR -- COMMAND...
"""
import resource
import subprocess
import sys


def main():
    cpu, wall, out, err = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4]
    cmd = sys.argv[sys.argv.index("--") + 1:]

    def limit():
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))

    with open(out, "wb") as o, open(err, "wb") as e:
        p = subprocess.Popen(cmd, stdout=o, stderr=e, preexec_fn=limit)
        try:
            rc = p.wait(timeout=wall)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            rc = 124
    if rc < 0:
        rc = 128 - rc
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    print("%d %.2f %d" % (rc, ru.ru_utime + ru.ru_stime, ru.ru_maxrss))


if __name__ == "__main__":
    main()
